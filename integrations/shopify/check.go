package shopify

import "context"

// checkQuery is the smallest authenticated read of the Admin API.
const checkQuery = `query PlusoneCheck { shop { name } }`

// Check makes one authenticated read (the shop's name), for `plusone check
// --live`: an error says what to fix, such as the access token to check
// after a 401.
func (a *API) Check(ctx context.Context) error {
	var data struct {
		Shop struct {
			Name string `json:"name"`
		} `json:"shop"`
	}
	return a.query(ctx, checkQuery, nil, &data)
}
