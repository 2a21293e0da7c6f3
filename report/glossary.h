/* The glossary at the end of REPORT.md: every term the report and its
 * appendix use, defined once; the verdict, the appendix and README.md link
 * to it as "<REPORT.md>#glossary". */
#ifndef REPORT_GLOSSARY_H
#define REPORT_GLOSSARY_H

#include <stdio.h>

void glossary_write(FILE *f, const char *appendix_name);

#endif
