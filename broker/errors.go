package broker

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/accord-cdc/accord/broker/matrix"
)

// Code classifies an error for the people and programs that see it.
type Code string

// The error vocabulary. Anything without one of these codes is an internal
// error: the client sees a reference, the log sees the cause.
const (
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Invalid      Code = "invalid"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	// TooLarge is a request body over the broker's size limit.
	TooLarge Code = "too_large"
	// Unavailable is a failure to reach the database (refused, reset,
	// shut down): the request may succeed if sent again later, which the
	// official clients do on a 503 with Retry-After.
	Unavailable Code = "unavailable"
)

// Notice is a user-facing message in the shape the Pact Broker's clients print
// ({"type": "...", "text": "..."}): one type for publication, error and
// can-i-deploy notices alike. broker/matrix defines it because it renders
// its own notices without the rest of the domain.
type Notice = matrix.Notice

// Error is a domain error with a message a person can act on.
type Error struct {
	Code    Code
	Message string
	// Field names the request field the message is about ("contracts",
	// "consumerVersionSelectors"); empty means the request as a whole.
	Field string
	// Notices are extra messages returned with the error (for example the diff
	// of a refused pact change).
	Notices []Notice
	// Content is, on a Conflict refusing a changed pact, the normalised
	// content that was refused, for the diff against the one published:
	// the caller need not keep the request body for it.
	Content []byte
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Invalid *Error about one request field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain;
// Unavailable when there is none but the chain shows the database could not
// be reached; or "" (an internal error).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if unreachable(err) {
		return Unavailable
	}
	return ""
}

// unreachable reports whether err says a connection failed, rather than
// that a statement or the data was wrong. It looks only at standard error
// types and at the SQLSTATE that database drivers report, so the broker's
// domain does not depend on one driver.
func unreachable(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	if errors.As(err, &op) || errors.As(err, &dns) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) { // the server went away mid-answer
		return true
	}
	// Drivers mark errors that happened before the statement reached the
	// server (a closed connection) as safe to retry.
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		code := st.SQLState()
		// 08: connection exception; 57P01-57P03: the server is shutting
		// down or starting; 53300: too many connections.
		return strings.HasPrefix(code, "08") || code == "57P01" || code == "57P02" || code == "57P03" || code == "53300"
	}
	return false
}

// IsNotFound reports whether err is a NotFound domain error.
func IsNotFound(err error) bool { return ErrorCode(err) == NotFound }

// CheckText refuses text the databases cannot store: a NUL character
// (PostgreSQL rejects it in text columns) or bytes that are not UTF-8.
// what names the input for the message, like `the path segment "a\x00"`.
func CheckText(what, s string) error {
	switch {
	case strings.ContainsRune(s, 0):
		return Errorf(Invalid, "%s contains a NUL character (\\u0000, %%00); names, versions, branches and tags are text without NUL", what)
	case !utf8.ValidString(s):
		return Errorf(Invalid, "%s is not valid UTF-8; percent-encode names as UTF-8", what)
	}
	return nil
}

// MaxIdentifier is the longest name, version number, branch, tag or
// environment the broker stores, in bytes of UTF-8. PostgreSQL refuses an
// index entry over about 2,700 bytes, and an identifier may share an index
// with another; SQLite has no such limit, so the broker enforces this one
// itself, the same on both databases, before either sees the value.
const MaxIdentifier = 1000

// CheckIdentifier is CheckText plus the MaxIdentifier limit.
func CheckIdentifier(what, s string) error {
	if err := CheckText(what, s); err != nil {
		return err
	}
	if len(s) > MaxIdentifier {
		return Errorf(Invalid, "%s is too long (%d bytes); names, version numbers, branches, tags and environments are at most %d bytes of UTF-8", what, len(s), MaxIdentifier)
	}
	return nil
}
