package loadgen

import "time"

// FixClock makes loads write t as the time they happen, until the returned
// function is called.
func FixClock(t time.Time) (restore func()) {
	old := clock
	clock = func() time.Time { return t }
	return func() { clock = old }
}

// Columns are the columns the loader writes, per table.
var Columns = columns
