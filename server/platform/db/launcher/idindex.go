package main

// Lookups by _id that use an index.
//
// FerretDB 1.24's SQLite backend pushes a filter on _id alone down to SQLite as
//
//	WHERE _ferretdb_sjson->'$._id' = ?
//
// but builds each collection's _id_ index on _ferretdb_sjson->"_id". SQLite uses an expression index only
// for the same expression, so every find, update and delete by _id scans the whole table ("SCAN" in
// explain; measured: 250 ms per lookup at 20,000 needs, 1.4 ms for the first row). The launcher adds an
// index on the pushed-down expression to every collection's table: once at start, before the app connects,
// and then every few seconds for collections created since. FerretDB does not list it (it keeps its own
// index list), and dropping a collection drops its table with the index.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// idIndexSuffix names the extra index: "<table>_<suffix>", apart from FerretDB's "<table>_<mongo index name>"
// by a character a MongoDB index name made by the app never has.
const idIndexSuffix = "_id~lookup"

// missingIDIndexes lists the collection tables of one database file that do not have the index yet.
const missingIDIndexes = `
SELECT c.table_name FROM _ferretdb_collections c
WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '_' || ?)`

// ensureIDIndexes adds the index to every collection table of every database in dir that lacks it.
func ensureIDIndexes(ctx context.Context, dir string, logger *slog.Logger) {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		logger.Warn("id index: cannot list databases", "err", err)
		return
	}
	for _, file := range files {
		if err := ensureFileIDIndexes(ctx, file, logger); err != nil && ctx.Err() == nil {
			logger.Warn("id index: cannot index", "file", file, "err", err)
		}
	}
}

func ensureFileIDIndexes(ctx context.Context, file string, logger *slog.Logger) error {
	// FerretDB's own settings for its files: wait for its writers rather than fail, and WAL. mode=rw: a
	// database dropped since the directory was listed must stay gone, not come back as an empty file.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, missingIDIndexes, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "unable to open") {
			return nil // a database FerretDB has not set up yet, or one dropped in between
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, t := range tables {
		started := time.Now()
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_"+idIndexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped in between
			}
			return err
		}
		logger.Debug("id index: created", "table", t, "took", time.Since(started))
	}
	return nil
}

// keepIDIndexes repeats ensureIDIndexes every interval until ctx ends.
func keepIDIndexes(ctx context.Context, dir string, every time.Duration, logger *slog.Logger) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			ensureIDIndexes(ctx, dir, logger)
		}
	}
}
