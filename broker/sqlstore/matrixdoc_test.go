package sqlstore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// schemaIndex is one index of the migrated schema, named as the database
// reports it.
type schemaIndex struct {
	table, name, cols, where string
	unique, primary          bool
}

// schemaFacts is what a migrated database holds: tables, columns, indexes.
type schemaFacts struct {
	names   map[string]bool // tables, columns and index names
	indexes []schemaIndex
}

func sqliteSchema(t *testing.T, db *sql.DB) schemaFacts {
	t.Helper()
	f := schemaFacts{names: map[string]bool{}}
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	for _, table := range tables {
		f.names[table] = true
		for _, c := range queryStrings(t, db, `SELECT name FROM pragma_table_info(?)`, table) {
			f.names[c] = true
		}
		rows, err := db.Query(`SELECT name, "unique", origin FROM pragma_index_list(?)`, table)
		require.NoError(t, err)
		var found []schemaIndex
		for rows.Next() {
			var ix schemaIndex
			var origin string
			require.NoError(t, rows.Scan(&ix.name, &ix.unique, &origin))
			ix.table, ix.primary = table, origin == "pk"
			found = append(found, ix)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		for _, ix := range found {
			ix.cols = strings.Join(queryStrings(t, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.name), ", ")
			var def sql.NullString
			require.NoError(t, db.QueryRow(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, ix.name).Scan(&def))
			if _, where, ok := strings.Cut(def.String, " WHERE "); ok {
				ix.where = where
			}
			f.names[ix.name] = true
			f.indexes = append(f.indexes, ix)
		}
	}
	return f
}

var pgIndexDef = regexp.MustCompile(`^CREATE (UNIQUE )?INDEX (\S+) ON \S+ USING \w+ \((.*?)\)(?: WHERE \((.*)\))?$`)

func postgresSchema(t *testing.T, db *sql.DB) schemaFacts {
	t.Helper()
	f := schemaFacts{names: map[string]bool{}}
	rows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`)
	require.NoError(t, err)
	for rows.Next() {
		var table, col string
		require.NoError(t, rows.Scan(&table, &col))
		f.names[table], f.names[col] = true, true
	}
	require.NoError(t, rows.Err())
	rows.Close()
	rows, err = db.Query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var ix schemaIndex
		var def string
		require.NoError(t, rows.Scan(&ix.table, &ix.name, &def))
		m := pgIndexDef.FindStringSubmatch(def)
		require.NotNil(t, m, "unexpected index definition %q", def)
		ix.unique, ix.cols, ix.where = m[1] != "", m[3], m[4]
		ix.primary = ix.name == ix.table+"_pkey"
		f.names[ix.name] = true
		f.indexes = append(f.indexes, ix)
	}
	require.NoError(t, rows.Err())
	return f
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// docIndex is one line of the index list in broker/matrix's "Facts for a
// store" section: an index name, UNIQUE or PRIMARY KEY, then
// "table (columns)" and an optional WHERE.
type docIndex struct {
	line, kind, table, cols, where string
}

var docTarget = regexp.MustCompile(`^(\w+) \(([^)]*)\)(?: WHERE (.+))?$`)

// matrixDocFacts returns the "Facts for a store" section of broker/matrix's
// package documentation and the indexes it lists.
func matrixDocFacts(t *testing.T) (string, []docIndex) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "matrix", "doc.go"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(src), "// # Facts for a store")
	require.True(t, ok, "broker/matrix/doc.go lost its \"Facts for a store\" section")
	if i := strings.Index(section, "\n// # "); i >= 0 {
		section = section[:i]
	}
	var out []docIndex
	for _, line := range strings.Split(section, "\n") {
		code, ok := strings.CutPrefix(line, "//\t")
		if !ok {
			continue
		}
		fields := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(code), -1)
		require.GreaterOrEqual(t, len(fields), 2, "index line %q: want <question>  <index name|UNIQUE|PRIMARY KEY>  <table (columns)>", line)
		m := docTarget.FindStringSubmatch(fields[len(fields)-1])
		require.NotNil(t, m, "index line %q does not end in \"table (columns)\"", line)
		out = append(out, docIndex{line: line, kind: fields[len(fields)-2], table: m[1], cols: m[2], where: m[3]})
	}
	return section, out
}

// TestMatrixDocNamesTheRealIndexes holds broker/matrix's description of the
// store to the migrated schema on both databases: every index it lists
// exists with those columns (and that WHERE), and every snake_case name it
// mentions is a real table, column or index.
func TestMatrixDocNamesTheRealIndexes(t *testing.T) {
	section, listed := matrixDocFacts(t)
	require.GreaterOrEqual(t, len(listed), 15, "the section should list the indexes the Facts queries use")
	identifier := regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := newStore(t, backend)
			var schema schemaFacts
			if backend == "postgres" {
				schema = postgresSchema(t, s.DB())
			} else {
				schema = sqliteSchema(t, s.DB())
			}
			for _, d := range listed {
				found := false
				for _, ix := range schema.indexes {
					if ix.table != d.table || ix.cols != d.cols || ix.where != d.where {
						continue
					}
					switch d.kind {
					case "PRIMARY KEY":
						found = found || ix.primary
					case "UNIQUE":
						found = found || (ix.unique && !ix.primary)
					default:
						found = found || ix.name == d.kind
					}
				}
				assert.True(t, found, "broker/matrix/doc.go lists an index the %s schema does not have:\n%s\nfix the line to match the migrations", backend, d.line)
			}
			for _, name := range identifier.FindAllString(section, -1) {
				assert.True(t, schema.names[name], "broker/matrix/doc.go mentions %q, which is no table, column or index of the %s schema", name, backend)
			}
		})
	}
}
