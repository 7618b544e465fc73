-- memwatch schema 4: charges summed per stack over ten-minute buckets, kept up
-- to date by a trigger, so that a report over hours reads a few thousand rows
-- instead of every interval (the raw charges still answer the partial buckets
-- at the edges of a range, so sums stay exact).

-- What the intervals ending in the ten minutes starting at t (a multiple of
-- 600 s, Unix time) charged to one stack, both triggers together.
CREATE TABLE charges_10min (
    session  INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    t        REAL NOT NULL,
    stack    INTEGER NOT NULL REFERENCES stacks(id),
    growth   INTEGER NOT NULL,
    shrink   INTEGER NOT NULL,
    hits     INTEGER NOT NULL,
    peak_rss INTEGER,
    PRIMARY KEY (session, t, stack)
) WITHOUT ROWID;

INSERT INTO charges_10min (session, t, stack, growth, shrink, hits, peak_rss)
    SELECT session, CAST(t / 600.0 AS INTEGER) * 600.0 AS b, stack, sum(growth), sum(shrink), sum(hits), max(peak_rss)
    FROM charges GROUP BY session, b, stack;

CREATE TRIGGER charges_10min_add AFTER INSERT ON charges BEGIN
    INSERT INTO charges_10min (session, t, stack, growth, shrink, hits, peak_rss)
    VALUES (NEW.session, CAST(NEW.t / 600.0 AS INTEGER) * 600.0, NEW.stack, NEW.growth, NEW.shrink, NEW.hits,
            NEW.peak_rss)
    ON CONFLICT (session, t, stack) DO UPDATE SET growth = growth + excluded.growth,
        shrink = shrink + excluded.shrink, hits = hits + excluded.hits,
        peak_rss = CASE WHEN peak_rss IS NULL OR excluded.peak_rss > peak_rss THEN excluded.peak_rss
                   ELSE peak_rss END;
END;

-- Folding old detail into charges_minute (memwatch daemon) keeps these sums;
-- dropping those minutes drops the buckets they end.
CREATE TRIGGER charges_10min_prune AFTER DELETE ON charges_minute BEGIN
    DELETE FROM charges_10min WHERE session = OLD.session AND t + 600.0 <= OLD.t + 60.0;
END;
