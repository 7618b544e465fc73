/* commands: the memwatch subcommands, each parsing its own arguments. */
#ifndef MW_COMMANDS_H
#define MW_COMMANDS_H

/* Options every subcommand shares, parsed before or after the subcommand. */
typedef struct mw_globals {
    const char *db;      /* --db FILE, or NULL for the default location (dbpath) */
    int quiet;           /* --quiet */
} mw_globals;

/* Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand) and returns the process exit status (exitcodes.h). */
int cmd_run(int argc, char **argv, const mw_globals *g);      /* run [OPTS] -- CMD... */
int cmd_attach(int argc, char **argv, const mw_globals *g);   /* attach PID / --pid PID */
int cmd_list(int argc, char **argv, const mw_globals *g);     /* list [--json] */
int cmd_report(int argc, char **argv, const mw_globals *g);   /* report [SESSION] ... */
int cmd_daemon(int argc, char **argv, const mw_globals *g);   /* daemon [OPTS] */
int cmd_export(int argc, char **argv, const mw_globals *g);   /* export [SESSION] --format F ... */
int cmd_plot(int argc, char **argv, const mw_globals *g);     /* plot [SESSION] -o FILE ... */
int cmd_diff(int argc, char **argv, const mw_globals *g);     /* diff SESSION_A SESSION_B ... */

#endif
