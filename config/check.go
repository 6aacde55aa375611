package config

import (
	"errors"

	"github.com/plusone-hq/plusone"
)

// Policy loads the policy file named by PLUSONE_POLICY_FILE, or returns
// plusone.DefaultPolicy when it is unset.
func (c *Config) Policy() (*plusone.Policy, error) {
	if c.PolicyFile == "" {
		return plusone.DefaultPolicy(), nil
	}
	return LoadPolicy(c.PolicyFile)
}

// Check validates the environment read through getenv (with the API
// variables of sources) and the policy it names, as `plusone check` does. The policy file is checked even when the
// environment has problems.
//
// The error joins Problems and PolicyProblems (either may be missing), so
// err.Error() prints every problem on its own line, environment first, and
// errors.As finds each list. The configuration is returned even with an
// error; the policy only when it is valid.
func Check(getenv func(string) string, sources []plusone.SourceInfo) (*Config, *plusone.Policy, error) {
	cfg, envErr := Load(getenv, sources)
	policy, policyErr := cfg.Policy()
	return cfg, policy, errors.Join(envErr, policyErr)
}
