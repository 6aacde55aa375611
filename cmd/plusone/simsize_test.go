//go:build !race

package main

// simCustomers is the size of the outcomes simulation: the 2,000.
const simCustomers = 2000
