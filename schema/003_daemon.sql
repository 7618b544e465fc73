-- memwatch schema 3: what `memwatch daemon` keeps for the processes it watches
-- over days — which sessions it recorded (retention applies to them only),
-- per-minute summaries of the detail it ages out, and leak flags.

-- 1: recorded by memwatch daemon (detail older than --keep-detail is folded
-- into the *_minute tables; the summaries go after --keep-summary).
ALTER TABLE sessions ADD COLUMN watched INTEGER NOT NULL DEFAULT 0;
-- Set when the daemon flagged the process as leaking: when, the robust slope
-- of its memory (bytes per minute), and the line that grew most ("file:line").
ALTER TABLE sessions ADD COLUMN leak_t REAL;
ALTER TABLE sessions ADD COLUMN leak_bytes_per_min REAL;
ALTER TABLE sessions ADD COLUMN leak_where TEXT;
CREATE INDEX sessions_watched ON sessions(watched) WHERE watched = 1;

-- Timeline rows of the minute starting at t, folded: n rows, min/max/mean of
-- each figure (NULL when never known), the highest RSS seen, ticks summed.
CREATE TABLE samples_minute (
    session   INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t         REAL NOT NULL,
    n         INTEGER NOT NULL,
    rss_min   INTEGER, rss_max INTEGER, rss_mean REAL,
    uss_min   INTEGER, uss_max INTEGER, uss_mean REAL,
    pss_min   INTEGER, pss_max INTEGER, pss_mean REAL,
    swap_max  INTEGER,
    rss_peak  INTEGER,
    ticks     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session, t)
) WITHOUT ROWID;

-- Charges of the intervals ending in the minute starting at t, summed per stack
-- and trigger (charges.via).
CREATE TABLE charges_minute (
    session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t        REAL NOT NULL,
    stack    INTEGER NOT NULL REFERENCES stacks(id),
    via      INTEGER NOT NULL DEFAULT 0,
    growth   INTEGER NOT NULL,
    shrink   INTEGER NOT NULL,
    hits     INTEGER NOT NULL,
    peak_rss INTEGER,
    PRIMARY KEY (session, t, stack, via)
) WITHOUT ROWID;
