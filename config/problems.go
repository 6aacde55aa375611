package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with the environment.
type Problem struct {
	// Variable is the full name of the variable, e.g. PLUSONE_MAX_BODY_BYTES.
	Variable string
	// Message says what is wrong and, where it helps, what to set instead.
	// It never contains the value of a secret.
	Message string
}

// String formats the problem as "VARIABLE: message".
func (p Problem) String() string { return p.Variable + ": " + p.Message }

// Problems lists everything wrong with the environment. It is the error Load
// returns, and prints one problem per line.
type Problems []Problem

// Error prints one problem per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// PolicyProblem is one thing wrong with the policy file.
type PolicyProblem struct {
	// File is the name the policy was loaded under (the path as given).
	File string
	// Line is the 1-based line the problem is on, or 0 when it has none.
	Line int
	// Field is the path of the field, e.g. gestures[0].eligible.tiers[1],
	// or "" when the problem is with the file as a whole.
	Field string
	// Message says what is wrong and what is expected instead.
	Message string
}

// String formats the problem as "file:line: field: message", leaving out
// the parts it does not have.
func (p PolicyProblem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// PolicyProblems lists everything wrong with a policy file, in line order.
// It is the error LoadPolicy and ParsePolicy return.
type PolicyProblems []PolicyProblem

// Error prints one problem per line.
func (ps PolicyProblems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
