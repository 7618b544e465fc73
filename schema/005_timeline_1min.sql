-- memwatch schema 5: the timeline folded per minute (lowest and highest of
-- each figure), kept up to date by a trigger, so that a day-long session can
-- be drawn from 1,440 rows at once while its 432,000 samples are read.

-- The samples of the minute starting at t (a multiple of 60 s, Unix time):
-- how many, and the lowest and highest RSS, USS and PSS (NULL when never known).
CREATE TABLE samples_1min (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t       REAL NOT NULL,
    n       INTEGER NOT NULL,
    rss_min INTEGER, rss_max INTEGER,
    uss_min INTEGER, uss_max INTEGER,
    pss_min INTEGER, pss_max INTEGER,
    PRIMARY KEY (session, t)
) WITHOUT ROWID;

INSERT INTO samples_1min (session, t, n, rss_min, rss_max, uss_min, uss_max, pss_min, pss_max)
    SELECT session, CAST(t / 60.0 AS INTEGER) * 60.0 AS m, count(*), min(rss), max(rss), min(uss), max(uss),
           min(pss), max(pss)
    FROM samples GROUP BY session, m;

CREATE TRIGGER samples_1min_add AFTER INSERT ON samples BEGIN
    INSERT INTO samples_1min (session, t, n, rss_min, rss_max, uss_min, uss_max, pss_min, pss_max)
    VALUES (NEW.session, CAST(NEW.t / 60.0 AS INTEGER) * 60.0, 1, NEW.rss, NEW.rss, NEW.uss, NEW.uss,
            NEW.pss, NEW.pss)
    ON CONFLICT (session, t) DO UPDATE SET n = n + 1,
        rss_min = CASE WHEN rss_min IS NULL OR excluded.rss_min < rss_min THEN excluded.rss_min ELSE rss_min END,
        rss_max = CASE WHEN rss_max IS NULL OR excluded.rss_max > rss_max THEN excluded.rss_max ELSE rss_max END,
        uss_min = CASE WHEN uss_min IS NULL OR excluded.uss_min < uss_min THEN excluded.uss_min ELSE uss_min END,
        uss_max = CASE WHEN uss_max IS NULL OR excluded.uss_max > uss_max THEN excluded.uss_max ELSE uss_max END,
        pss_min = CASE WHEN pss_min IS NULL OR excluded.pss_min < pss_min THEN excluded.pss_min ELSE pss_min END,
        pss_max = CASE WHEN pss_max IS NULL OR excluded.pss_max > pss_max THEN excluded.pss_max ELSE pss_max END;
END;
