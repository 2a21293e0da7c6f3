/* Unit tests of the harness: no VM, no root, no network. */
#include "check.h"

int checks_passed, checks_failed, checks_skipped;

int main(void)
{
	suite_jsonstream();
	suite_qmp();
	suite_casefile();
	suite_options();
	suite_results();
	suite_stats();
	suite_migrate_parse();
	suite_balloon();
	suite_integrity();
	suite_service();
	suite_stressng();
	suite_cpucost();
	suite_topology();
	suite_threadstats();
	suite_qemuthreads();
	suite_hosts();
	suite_accel();
	suite_order();
	suite_migsettings();
	suite_vmproc();
	suite_pcrequests();
	printf("%d passed, %d failed\n", checks_passed, checks_failed);
	return checks_failed ? 1 : 0;
}
