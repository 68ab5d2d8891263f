package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accord-cdc/accord/broker/sqlstore"
)

// TestParseURLErrorsHidePasswords: a refused database URL is quoted in the
// error the broker prints at start, so its password must not be.
func TestParseURLErrorsHidePasswords(t *testing.T) {
	for _, in := range []string{
		"mysql://admin:hunter2-secret@db.example:3306/broker",
		"postgress://admin:hunter2-secret@db.example/broker",
		"mysql://admin:hunter2-secret@db.example:notaport/broker%zz",
	} {
		_, _, err := sqlstore.ParseURL(in)
		require.Error(t, err, in)
		assert.NotContains(t, err.Error(), "hunter2-secret", in)
		assert.Contains(t, err.Error(), "db.example", "the error still says which URL: %s", in)
	}
}
