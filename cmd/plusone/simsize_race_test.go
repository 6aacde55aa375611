//go:build race

package main

// simCustomers is the size of the outcomes simulation under the race
// detector, which makes the program about ten times slower: 500 customers
// still put A's interval around +0.20 and away from 0 (TestOutcomesSimulation
// runs with 2,000 without -race).
const simCustomers = 500
