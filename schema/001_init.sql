-- memwatch schema 1: sessions, timeline samples, interned stacks, per-interval
-- charges, events and the source text of attributed lines.
-- Times are Unix seconds (REAL); memory figures are bytes (NULL = unknown).

-- 'mwat': lets memwatch tell its own database from any other SQLite file.
PRAGMA application_id = 1836540276;

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    parent          INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    pid             INTEGER NOT NULL,
    cmdline         TEXT NOT NULL,
    exe             TEXT,
    python          TEXT,
    start_t         REAL NOT NULL,
    end_t           REAL,
    exit_code       INTEGER,
    interval_s      REAL NOT NULL,
    rate_hz         REAL NOT NULL,
    status          TEXT NOT NULL DEFAULT 'live'
                    CHECK (status IN ('live', 'ended', 'detached', 'cut')),
    collector_pid   INTEGER NOT NULL,
    collector_start INTEGER NOT NULL,   -- its start time, clock ticks since boot
    -- running aggregates kept by the writer, so listing never scans samples
    samples         INTEGER NOT NULL DEFAULT 0,
    last_t          REAL,
    peak_rss        INTEGER
);
CREATE INDEX sessions_parent ON sessions(parent);
CREATE INDEX sessions_live ON sessions(status) WHERE status = 'live';

CREATE TABLE samples (
    session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t        REAL NOT NULL,
    rss      INTEGER,
    uss      INTEGER,
    pss      INTEGER,
    swap     INTEGER,
    rss_peak INTEGER,
    ticks    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX samples_session_t ON samples(session, t);

CREATE TABLE strings (
    id INTEGER PRIMARY KEY,
    s  TEXT NOT NULL UNIQUE
);

CREATE TABLE frames (
    id        INTEGER PRIMARY KEY,
    file      INTEGER NOT NULL REFERENCES strings(id),
    func      INTEGER NOT NULL REFERENCES strings(id),
    firstline INTEGER NOT NULL,
    line      INTEGER NOT NULL,
    UNIQUE (file, func, firstline, line)
);

-- A stack is its innermost frame on top of a parent stack (0: outermost).
CREATE TABLE stacks (
    id     INTEGER PRIMARY KEY,
    parent INTEGER NOT NULL,
    frame  INTEGER NOT NULL REFERENCES frames(id),
    UNIQUE (parent, frame)
);

-- What one interval (ending at t) charged to one stack.
CREATE TABLE charges (
    session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t        REAL NOT NULL,
    stack    INTEGER NOT NULL REFERENCES stacks(id),
    growth   INTEGER NOT NULL,
    shrink   INTEGER NOT NULL,
    hits     INTEGER NOT NULL,
    peak_rss INTEGER
);
CREATE INDEX charges_session_t ON charges(session, t);

CREATE TABLE events (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t       REAL NOT NULL,
    kind    TEXT NOT NULL,   -- start, python, memory-only, child, exec, exit, detach, error, ...
    detail  TEXT
);
CREATE INDEX events_session_t ON events(session, t);

-- Source text of attributed lines, saved when the session ends.
CREATE TABLE source_lines (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    file    INTEGER NOT NULL REFERENCES strings(id),
    line    INTEGER NOT NULL,
    text    TEXT NOT NULL,
    PRIMARY KEY (session, file, line)
) WITHOUT ROWID;
