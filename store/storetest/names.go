package storetest

import (
	"fmt"
	"testing"

	"github.com/plusone-hq/plusone"
)

// testNameSearch checks that finding customers by name follows renames and
// merges, and that a prefix matching more customers than asked for gives
// as many as asked, each once, ordered by name.
func testNameSearch(t *testing.T, open Opener) {
	s, ctx := newStore(t, open)
	find := func(q string, limit int) string {
		t.Helper()
		var names []string
		must(t, s.View(ctx, func(tx plusone.Tx) error {
			got, err := tx.FindCustomers(ctx, q, limit)
			for _, c := range got {
				names = append(names, c.Name)
			}
			return err
		}))
		return fmt.Sprint(names)
	}
	ann := newCustomer(t, s, "Ann Lee", "ann@example.com")
	update(t, s, func(tx plusone.Tx) error {
		ann.Name = "Ann Marie Smith"
		return tx.UpdateCustomer(ctx, ann)
	})
	for q, want := range map[string]string{"lee": "[]", "ann": "[Ann Marie Smith]", "marie s": "[Ann Marie Smith]", "smi": "[Ann Marie Smith]"} {
		if got := find(q, 10); got != want {
			t.Errorf("after rename: FindCustomers(%q) = %s, want %s", q, got, want)
		}
	}

	// A nameless survivor takes the other's name in a merge.
	nameless := newCustomer(t, s, "", "nameless@example.com")
	named := newCustomer(t, s, "Zed Quinn", "zed@example.com")
	update(t, s, func(tx plusone.Tx) error {
		return tx.MergeCustomers(ctx, nameless.ID, named.ID, "same person", base)
	})
	var got []plusone.Customer
	must(t, s.View(ctx, func(tx plusone.Tx) error {
		var err error
		got, err = tx.FindCustomers(ctx, "quin", 10)
		return err
	}))
	if len(got) != 1 || got[0].ID != nameless.ID {
		t.Errorf("after merge: FindCustomers(quin) = %+v, want customer %d alone", got, nameless.ID)
	}

	// Customers whose several words match are listed once.
	for i := range 6 {
		newCustomer(t, s, fmt.Sprintf("Kim Kimball %d", i), fmt.Sprintf("kim%d@example.com", i))
	}
	if got, want := find("kim", 4), "[Kim Kimball 0 Kim Kimball 1 Kim Kimball 2 Kim Kimball 3]"; got != want {
		t.Errorf("FindCustomers(kim, 4) = %s, want %s", got, want)
	}
	if got := find("kim", 10); got != "[Kim Kimball 0 Kim Kimball 1 Kim Kimball 2 Kim Kimball 3 Kim Kimball 4 Kim Kimball 5]" {
		t.Errorf("FindCustomers(kim, 10) = %s", got)
	}
}
