package httpapi

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flood of new questions does not push out an answer asked over and
// over; the cache stays within its bound; another state is never served.
func TestAnswersKeepWhatIsAskedAgain(t *testing.T) {
	var a answers
	body := make([]byte, maxAnswerBytes/100)
	a.put("s1", "hot", answer{"x", body})
	for i := range 1000 {
		a.put("s1", fmt.Sprint("new ", i), answer{"x", body})
		if i%20 == 0 {
			_, ok := a.get("s1", "hot")
			require.True(t, ok, "the answer asked every 20 new ones is kept (after %d)", i)
		}
		require.LessOrEqual(t, a.bytes+a.oldb, maxAnswerBytes)
	}
	_, ok := a.get("s1", "new 0")
	assert.False(t, ok, "an answer never asked again went")
	_, ok = a.get("s1", "new 999")
	assert.True(t, ok)
	_, ok = a.get("s2", "hot")
	assert.False(t, ok, "another state's answer is not served")
	a.put("s2", "other", answer{"x", body})
	_, ok = a.get("s1", "hot")
	assert.False(t, ok, "a new state drops the old state's answers")
	_, ok = a.get("", "other")
	assert.False(t, ok, "an unknown state is never served")
}
