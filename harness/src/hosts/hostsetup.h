/* `pvmig hosts-setup A B`: build the project in each host's checkout over
 * ssh and check that both built the same QEMU and guest. */
#ifndef PVMIG_HOSTSETUP_H
#define PVMIG_HOSTSETUP_H

/* argv: after the "hosts-setup" word (argv[0] is that word).  Returns the
 * exit status: 0 ready, 1 a build failed or the hosts disagree,
 * EXIT_BAD_INPUT for bad arguments or an unreachable host. */
int hosts_setup_main(int argc, char **argv, const char *local_top);

#endif
