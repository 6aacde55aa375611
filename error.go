package plusone

import (
	"errors"
	"fmt"
)

// Error codes that callers can test for with ErrorCode. They map onto HTTP
// statuses at the edge; everything without a code is internal.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	ETOOLARGE     = "too_large"
	EUNAVAILABLE  = "unavailable"
)

// Error is a domain error whose Message is safe to show to the user or to the
// sender of a webhook.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of the first *Error in err's
// chain, or "internal error".
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}

// ErrNotFound is returned by store lookups that find nothing.
var ErrNotFound = &Error{Code: ENOTFOUND, Message: "not found"}

// ErrLeaseLost is returned when a worker tries to finish work whose lease has
// expired and been taken by another worker; the work must be abandoned.
var ErrLeaseLost = errors.New("lease lost")
