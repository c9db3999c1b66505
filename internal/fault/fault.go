// Package fault is leadflow's error vocabulary: a small set of codes that
// domain code returns and the HTTP layers map to a status and a safe
// message, with per-field reasons for invalid input.
package fault

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an error for the people and programs that receive it.
type Code string

// The codes domain code may return.
const (
	Invalid      Code = "invalid"      // input breaks a rule; see Fields
	NotFound     Code = "not_found"    // the thing does not exist (or is hidden)
	Conflict     Code = "conflict"     // the change clashes with existing data
	Unauthorized Code = "unauthorized" // no valid credentials
	Forbidden    Code = "forbidden"    // credentials valid, role not allowed
	Internal     Code = "internal"     // anything else; details stay in the log
)

// Error is an error with a code, a message safe to show, and for Invalid
// the reason each bad field was refused.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Fields collects per-field validation failures.
type Fields map[string]string

// Add records why field was refused; the first reason for a field wins.
func (f Fields) Add(field, reason string) {
	if _, ok := f[field]; !ok {
		f[field] = reason
	}
}

// Err returns an Invalid error listing the fields, or nil when none failed.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "some fields are invalid", Fields: f}
}

// CodeOf returns the code of err, Internal for errors without one.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns err as an *Error, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
