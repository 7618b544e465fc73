/* schema: the store's migrations, compiled in from the schema folder. */
#ifndef MW_SCHEMA_H
#define MW_SCHEMA_H

typedef struct schema_migration {
    int version;        /* PRAGMA user_version after it runs */
    const char *name;   /* file name, for messages */
    const char *sql;
} schema_migration;

extern const schema_migration schema_migrations[];
extern const int schema_count;

#endif
