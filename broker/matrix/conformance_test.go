package matrix_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/matrix/matrixtest"
)

// Memory is the reference implementation of the conformance suite.
func TestMemoryConformance(t *testing.T) {
	matrixtest.Run(t, func(t *testing.T, d matrix.Data) matrix.Facts {
		m, err := matrix.NewMemory(d)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}, matrixtest.Options{})
}

func TestCompareFactsAcceptsMemory(t *testing.T) {
	for _, c := range matrixtest.Cases {
		m, err := matrix.NewMemory(c.Data)
		if err != nil {
			t.Fatal(err)
		}
		matrixtest.CompareFacts(t, m, c.Data)
	}
}

// reversed answers Versions oldest first, a typical ORDER BY mistake.
type reversed struct{ *matrix.Memory }

func (r reversed) Versions(ctx context.Context, s matrix.Selector) ([]matrix.Version, error) {
	s.Latest = false
	vs, err := r.Memory.Versions(ctx, s)
	slices.Reverse(vs)
	return vs, err
}

type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Helper() {}

func TestCompareFactsCatchesAWrongStore(t *testing.T) {
	c := matrixtest.Cases[len(matrixtest.Cases)-1]
	for _, cand := range matrixtest.Cases {
		if strings.Contains(cand.Name, "latestby cvpv") {
			c = cand
		}
	}
	m, err := matrix.NewMemory(c.Data)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	matrixtest.CompareFacts(rec, reversed{m}, c.Data)
	if len(rec.errors) == 0 {
		t.Fatal("CompareFacts did not notice versions returned oldest first")
	}
	if !strings.Contains(rec.errors[0], "Versions(") {
		t.Errorf("first difference %q does not name the query", rec.errors[0])
	}
}
