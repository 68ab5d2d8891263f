// Command accord-loadgen fills a broker database with a generated history
// (matrix.Synthetic: by default 200 applications, 200,000 versions and
// 1,000,000 verification results; -scale 10x is ten times that), then times
// can-i-deploy decisions over it and, with -explain, prints the query plan
// of each query of one.
//
//	accord-loadgen -db sqlite:///tmp/large.sqlite3 -explain
//	accord-loadgen -db 'postgres://u:p@127.0.0.1:5432/broker?sslmode=disable' -decisions 200
//
// An empty database is loaded first; a loaded one is reused.
//
// With -broker (an accord-broker binary, started on a loopback port over
// -db) or -url (a broker already running over that database), it then
// drives HTTP load: N closed-loop clients send a mix of can-i-deploy,
// pacts-for-verification, publish, verification-result, get-pact and matrix
// requests for -duration, and it prints req/s, p50/p90/p99/max and errors
// per request type, with the broker's start-up time and peak RSS.
// -table runs the standard table (make bench); -mix, -clients and
// -questions run one scenario:
//
//	accord-loadgen -db sqlite:///tmp/large.sqlite3 -decisions 0 -broker ./accord-broker -table
//	accord-loadgen -db sqlite:///tmp/large.sqlite3 -decisions 0 -broker ./accord-broker -mix can-i-deploy -clients 16 -questions 300
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/accord-cdc/accord/broker/loadgen"
	"github.com/accord-cdc/accord/broker/matrix"
	"github.com/accord-cdc/accord/broker/sqlstore"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "accord-loadgen:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("accord-loadgen", flag.ContinueOnError)
	db := fs.String("db", "", "database URL (sqlite:///abs/path.sqlite3 or postgres://...); required")
	pacticipants := fs.Int("pacticipants", matrix.LargeScale.Pacticipants, "applications to generate")
	versions := fs.Int("versions", matrix.LargeScale.Versions, "versions to generate, spread over the applications")
	verifications := fs.Int("verifications", matrix.LargeScale.Verifications, "verification results to generate")
	decisions := fs.Int("decisions", 100, "can-i-deploy decisions to time")
	explain := fs.Bool("explain", false, "print the plan of every query of one decision")
	scale := fs.String("scale", "", "large (the default sizes) or 10x (2,000 applications, 2,000,000 versions, 10,000,000 results); overrides the three sizes")
	var dr driveFlags
	dr.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *db == "" {
		return fmt.Errorf("-db is required, e.g. -db sqlite:///tmp/large.sqlite3")
	}
	sc := matrix.LargeScale
	sc.Pacticipants, sc.Versions, sc.Verifications = *pacticipants, *versions, *verifications
	switch *scale {
	case "":
	case "large":
		sc = matrix.LargeScale
	case "10x":
		sc = matrix.LargeScale
		sc.Pacticipants, sc.Versions, sc.Verifications = 10*sc.Pacticipants, 10*sc.Versions, 10*sc.Verifications
	default:
		return fmt.Errorf("-scale must be large or 10x, got %q", *scale)
	}
	s, err := sqlstore.Open(ctx, *db, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	var n int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM pacticipants`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		fmt.Printf("loading %+v, load average %s\n", sc, loadavg())
		st, err := loadgen.LoadSynthetic(ctx, s, sc)
		if err != nil {
			return err
		}
		fmt.Printf("loaded %+v\n", st)
		fmt.Printf("load time: %s (generate and write streaming, indexes and keys, ANALYZE), load average after %s\n", st.Took.Round(time.Second), loadavg())
	} else {
		fmt.Printf("reusing the %d pacticipants already in the database\n", n)
	}
	if *explain {
		out, err := loadgen.Explain(ctx, s, loadgen.CanIDeployQuery(sc, 0))
		if err != nil {
			return err
		}
		fmt.Println(out)
	}
	var took []time.Duration
	for i := range *decisions {
		start := time.Now()
		if _, err := matrix.Decide(ctx, s.MatrixFacts(), loadgen.CanIDeployQuery(sc, i)); err != nil {
			return err
		}
		took = append(took, time.Since(start))
	}
	if len(took) > 0 {
		slices.Sort(took)
		var sum time.Duration
		for _, d := range took {
			sum += d
		}
		fmt.Printf("%d can-i-deploy decisions to production: mean %s, p50 %s, p99 %s, max %s\n", len(took),
			sum/time.Duration(len(took)), took[len(took)/2], took[len(took)*99/100], took[len(took)-1])
	}
	s.Close()
	return dr.run(ctx, *db, sc)
}
