# The runbook library is installed for the console and `opsdeck run`.
runbooklibdir = $(pkgdatadir)/runbooks
dist_runbooklib_DATA = runbooks/library/RB-1.md
