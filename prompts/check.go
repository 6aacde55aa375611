package prompts

import (
	"context"
	"fmt"
	"slices"

	openai "github.com/sashabaranov/go-openai"
)

// Check lists the endpoint's models (GET /models), for `plusone check
// --live`: it fails when the endpoint cannot be reached, refuses the key,
// or does not offer the configured model. A drafter without a model
// passes.
func (d *Drafter) Check(ctx context.Context) error {
	if d.client == nil {
		return nil
	}
	list, err := d.client.ListModels(ctx)
	if err != nil {
		return fmt.Errorf("list models: %w; check PLUSONE_OPENAI_BASE_URL and PLUSONE_OPENAI_API_KEY", err)
	}
	if d.model != "" && len(list.Models) > 0 && !slices.ContainsFunc(list.Models, func(m openai.Model) bool { return m.ID == d.model }) {
		return fmt.Errorf("the endpoint does not offer the model %q; check PLUSONE_OPENAI_MODEL", d.model)
	}
	return nil
}
