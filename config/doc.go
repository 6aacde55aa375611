// Package config reads plusone's two kinds of configuration and turns them
// into values the rest of the program can trust:
//
//   - the environment (PLUSONE_* variables, see Load and Describe), and
//   - the policy file named by PLUSONE_POLICY_FILE (see LoadPolicy), which
//     becomes a plusone.Policy.
//
// Both report every problem they find, not just the first, and each problem
// names where it is: the variable for the environment (Problems), the file,
// line and field path for the policy (PolicyProblems). Check runs both, as
// `plusone check` does.
package config
