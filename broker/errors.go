package broker

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
)

// Notice is a user-facing message in the shape the Pact Broker's clients print
// ({"type": "...", "text": "..."}).
type Notice struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

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

// ErrorCode returns the code of the first *Error in err's chain, or "" when
// there is none (an internal error).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
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
