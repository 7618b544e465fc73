/* exitcodes: memwatch's own exit statuses (documented in memwatch(1)). */
#ifndef MW_EXITCODES_H
#define MW_EXITCODES_H

enum {
    MW_EXIT_OK = 0,
    MW_EXIT_ERROR = 1,       /* a runtime failure not listed below */
    MW_EXIT_USAGE = 2,       /* bad option, option value or subcommand */
    MW_EXIT_NOPROC = 3,      /* no such process */
    MW_EXIT_PERM = 4,        /* not allowed to read the process */
    MW_EXIT_DB = 5,          /* database: not memwatch's, corrupt, newer schema, cannot open */
    MW_EXIT_DISKFULL = 6,    /* the disk filled while recording (what was committed is kept) */
    MW_EXIT_NOSESSION = 7,   /* no such session / no sessions recorded */
    MW_EXIT_NOEXEC = 126,    /* run: command found but not executable */
    MW_EXIT_NOTFOUND = 127,  /* run: command not found */
};

#endif
