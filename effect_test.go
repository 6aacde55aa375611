package plusone

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// near reports whether got is within tol of want (both infinite of the same sign count as near).
func near(got, want, tol float64) bool {
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol
}

// TestWilson reproduces Newcombe (1998a), "Two-sided confidence intervals for the
// single proportion: comparison of seven methods", Statistics in Medicine 17,
// 857–872, Table I, method 3 (Wilson's score interval without continuity
// correction), 95% intervals to four decimals.
func TestWilson(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p         Proportion
		low, high float64
	}{
		{Proportion{81, 263}, 0.2553, 0.3662},
		{Proportion{15, 148}, 0.0624, 0.1605},
		{Proportion{0, 20}, 0.0000, 0.1611},
		{Proportion{1, 29}, 0.0061, 0.1718},
		// Not in the table: the edges.
		{Proportion{29, 29}, 0.8830, 1.0000}, // mirror of 0/29
		{Proportion{0, 0}, 0, 1},             // no data: anything is possible
	}
	for _, tt := range tests {
		low, high := Wilson(tt.p, 0.95)
		if !near(low, tt.low, 0.00005) || !near(high, tt.high, 0.00005) {
			t.Errorf("Wilson(%d/%d) = (%.4f, %.4f), want (%.4f, %.4f)", tt.p.Successes, tt.p.N, low, high, tt.low, tt.high)
		}
	}
}

// TestCompareProportionsNewcombe reproduces Newcombe (1998b), "Interval estimation
// for the difference between independent proportions: comparison of eleven
// methods", Statistics in Medicine 17, 873–890, Table II, method 10 (the hybrid
// score interval), examples (a)–(h): the difference is the first proportion
// minus the second, so the first is our treatment. SE is the Wald standard
// error; p is the pooled two-proportion z-test, which equals Pearson's
// chi-square without continuity correction (R: prop.test(c(56, 48), c(70, 80),
// correct = FALSE) gives X-squared = 7.0234, p-value = 0.008045 for (a)).
func TestCompareProportionsNewcombe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		treatment, control   Proportion
		low, high            float64
		wantDiff, wantSE, wP float64
	}{
		{"a", Proportion{56, 70}, Proportion{48, 80}, 0.0524, 0.3339, 0.2, 0.0727, 0.0080},
		{"b", Proportion{9, 10}, Proportion{3, 10}, 0.1705, 0.8090, 0.6, 0.1732, 0.0062},
		{"c", Proportion{6, 7}, Proportion{2, 7}, 0.0582, 0.8062, 4.0 / 7, 0.2160, 0.0308},
		{"d", Proportion{5, 56}, Proportion{0, 29}, -0.0381, 0.1926, 5.0 / 56, 0.0381, 0.0972},
		{"e", Proportion{0, 10}, Proportion{0, 20}, -0.1611, 0.2775, 0, 0, 1},
		{"f", Proportion{0, 10}, Proportion{0, 10}, -0.2775, 0.2775, 0, 0, 1},
		{"g", Proportion{10, 10}, Proportion{0, 20}, 0.6791, 1.0000, 1, 0, 0},
		{"h", Proportion{10, 10}, Proportion{0, 10}, 0.6075, 1.0000, 1, 0, 0},
	}
	for _, tt := range tests {
		e := CompareProportions(tt.control, tt.treatment, 0.95)
		if !near(e.Low, tt.low, 0.00005) || !near(e.High, tt.high, 0.00005) {
			t.Errorf("(%s) interval = (%.4f, %.4f), want (%.4f, %.4f)", tt.name, e.Low, e.High, tt.low, tt.high)
		}
		if !near(e.Diff, tt.wantDiff, 1e-12) || !near(e.SE, tt.wantSE, 0.00005) || !near(e.P, tt.wP, 0.00005) {
			t.Errorf("(%s) diff %.4f se %.4f p %.4f, want %.4f %.4f %.4f", tt.name, e.Diff, e.SE, e.P, tt.wantDiff, tt.wantSE, tt.wP)
		}
	}
}

// TestCompareProportionsTail: a clear effect on 2,000 customers (the issue's
// simulation, 15% vs 35%) gets a tiny p-value, not 0: pooled rate 0.25,
// z = 0.2/√(0.25·0.75·(2/1000)) = 10.328, p = erfc(z/√2) = 5.3e-25.
func TestCompareProportionsTail(t *testing.T) {
	t.Parallel()
	e := CompareProportions(Proportion{150, 1000}, Proportion{350, 1000}, 0.95)
	z := 0.2 / math.Sqrt(0.25*0.75*2/1000)
	if want := math.Erfc(z / math.Sqrt2); !(e.P > 0) || math.Abs(e.P-want) > want*1e-9 {
		t.Errorf("P = %v, want %v", e.P, want)
	}
	if !(e.Low < 0.2 && 0.2 < e.High && e.Low > 0) {
		t.Errorf("interval (%v, %v) should contain 0.20 and exclude 0", e.Low, e.High)
	}
}

// TestCompareProportionsEdges pins what an empty arm, all successes and a zero
// control return: no NaN but the documented Lift, and no panic.
func TestCompareProportionsEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		control, treatment Proportion
		want               Effect
		liftNaN            bool
	}{
		{"both empty", Proportion{}, Proportion{}, Effect{Low: -1, High: 1, SE: math.Inf(1), P: 1}, true},
		{"empty control", Proportion{}, Proportion{3, 4}, Effect{Treatment: 0.75, Diff: 0.75, Low: -1, High: 1, SE: math.Inf(1), P: 1}, true},
		{"empty treatment", Proportion{1, 2}, Proportion{}, Effect{Control: 0.5, Diff: -0.5, Low: -1, High: 1, SE: math.Inf(1), P: 1, Lift: -1}, false},
		{"all successes", Proportion{20, 20}, Proportion{30, 30}, Effect{Control: 1, Treatment: 1, Low: -0.1135, High: 0.1611, P: 1}, false},
	}
	for _, tt := range tests {
		e := CompareProportions(tt.control, tt.treatment, 0.95)
		got := []float64{e.Control, e.Treatment, e.Diff, e.Low, e.High, e.SE, e.P}
		want := []float64{tt.want.Control, tt.want.Treatment, tt.want.Diff, tt.want.Low, tt.want.High, tt.want.SE, tt.want.P}
		for i := range got {
			if !near(got[i], want[i], 0.00005) {
				t.Errorf("%s: got %+v, want %+v", tt.name, e, tt.want)
				break
			}
		}
		if math.IsNaN(e.Lift) != tt.liftNaN || !tt.liftNaN && !near(e.Lift, tt.want.Lift, 1e-12) {
			t.Errorf("%s: lift %v, want %v (NaN %v)", tt.name, e.Lift, tt.want.Lift, tt.liftNaN)
		}
	}
}

// sleep is Cushny and Peebles' (1905) soporific data as R ships it (datasets::sleep,
// the extra hours of sleep for drug 1 and drug 2); R's documented Welch example
// t.test(extra ~ group, data = sleep) prints t = −1.8608, df = 17.776,
// p-value = 0.07939, 95% CI −3.3654832 to 0.2054832 for group 1 − group 2.
var sleepGroup1 = []float64{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0}
var sleepGroup2 = []float64{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4}

func TestCompareMeansWelch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		control, treatment     []float64
		diff, low, high, se, p float64
	}{
		// R's sleep example, treatment = group 2 (the interval mirrors R's).
		{"R sleep", sleepGroup1, sleepGroup2, 1.58, -0.2054832, 3.3654832, 0.8490910, 0.07939},
		// Hand-worked: equal arms of {1,2,3}: SE = √(1/3+1/3), df = 4, t(0.975, 4) = 2.776445.
		{"equal", []float64{1, 2, 3}, []float64{1, 2, 3}, 0, -2.776445 * math.Sqrt(2.0/3), 2.776445 * math.Sqrt(2.0/3), math.Sqrt(2.0 / 3), 1},
	}
	for _, tt := range tests {
		e := CompareMeans(tt.control, tt.treatment, 0.95)
		if !near(e.Diff, tt.diff, 1e-9) || !near(e.Low, tt.low, 0.0005) || !near(e.High, tt.high, 0.0005) ||
			!near(e.SE, tt.se, 0.00005) || !near(e.P, tt.p, 0.000005) {
			t.Errorf("%s: got %+v, want diff %v ci (%v, %v) se %v p %v", tt.name, e, tt.diff, tt.low, tt.high, tt.se, tt.p)
		}
	}
	// The Welch–Satterthwaite df R prints (17.776) gives R's critical value.
	e := CompareMeans(sleepGroup1, sleepGroup2, 0.95)
	crit := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 17.776}.Quantile(0.975)
	if !near((e.High-e.Low)/2, crit*e.SE, 0.0005) {
		t.Errorf("half-width %.5f, want %.5f from df 17.776", (e.High-e.Low)/2, crit*e.SE)
	}
	if !near(e.Diff/e.SE, 1.8608, 0.00005) {
		t.Errorf("t = %.4f, want 1.8608", e.Diff/e.SE)
	}
}

// TestCompareMeansEdges: short arms and zero variance return the documented values.
func TestCompareMeansEdges(t *testing.T) {
	t.Parallel()
	inf := math.Inf(1)
	tests := []struct {
		name               string
		control, treatment []float64
		want               Effect
	}{
		{"empty", nil, nil, Effect{Low: -inf, High: inf, SE: inf, P: 1}},
		{"one value", []float64{2}, []float64{3, 5}, Effect{Control: 2, Treatment: 4, Diff: 2, Low: -inf, High: inf, SE: inf, P: 1}},
		{"zero variance, equal", []float64{5, 5}, []float64{5, 5, 5}, Effect{Control: 5, Treatment: 5, Low: 0, High: 0, SE: 0, P: 1}},
		{"zero variance, apart", []float64{5, 5}, []float64{6, 6}, Effect{Control: 5, Treatment: 6, Diff: 1, Low: 1, High: 1, SE: 0, P: 0}},
	}
	for _, tt := range tests {
		e := CompareMeans(tt.control, tt.treatment, 0.95)
		got := []float64{e.Control, e.Treatment, e.Diff, e.Low, e.High, e.SE, e.P}
		want := []float64{tt.want.Control, tt.want.Treatment, tt.want.Diff, tt.want.Low, tt.want.High, tt.want.SE, tt.want.P}
		for i := range got {
			if !near(got[i], want[i], 1e-12) {
				t.Errorf("%s: got %+v, want %+v", tt.name, e, tt.want)
				break
			}
		}
	}
}

// TestCompareCUPED checks the properties Deng et al. (2013) prove: the
// adjusted difference estimates the same effect, and the interval narrows by
// about √(1−ρ²) where ρ is the correlation of X and Y; with a constant X
// nothing changes.
func TestCompareCUPED(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	var control, treatment []Observation
	var yc, yt []float64
	for i := range 4000 {
		x := 50 + 20*rng.NormFloat64() // spend before exposure
		y := x + 10*rng.NormFloat64()  // corr(X, Y) = 20/√500 ≈ 0.894
		if i%2 == 0 {
			control = append(control, Observation{Y: y, X: x})
			yc = append(yc, y)
		} else {
			y += 2 // the true effect
			treatment = append(treatment, Observation{Y: y, X: x})
			yt = append(yt, y)
		}
	}
	plain := CompareMeans(yc, yt, 0.95)
	cuped := CompareCUPED(control, treatment, 0.95)
	if !(cuped.Low < 2 && 2 < cuped.High) {
		t.Errorf("CUPED interval (%.3f, %.3f) misses the true effect 2", cuped.Low, cuped.High)
	}
	// Expected ratio √(1−0.8) ≈ 0.447.
	if ratio := cuped.SE / plain.SE; ratio < 0.40 || ratio > 0.50 {
		t.Errorf("SE ratio CUPED/plain = %.3f, want about 0.447 (plain %+v, cuped %+v)", ratio, plain, cuped)
	}

	// A covariate that does not vary changes nothing.
	flat := func(ys []float64) []Observation {
		obs := make([]Observation, len(ys))
		for i, y := range ys {
			obs[i] = Observation{Y: y, X: 7}
		}
		return obs
	}
	if got, want := CompareCUPED(flat(sleepGroup1), flat(sleepGroup2), 0.95), CompareMeans(sleepGroup1, sleepGroup2, 0.95); got != want {
		t.Errorf("constant X: %+v, want Welch %+v", got, want)
	}
	if e := CompareCUPED(nil, nil, 0.95); e.P != 1 || !math.IsInf(e.SE, 1) {
		t.Errorf("no observations: %+v", e)
	}
}

// TestSampleRatioP: Pearson's chi-square goodness of fit, 1 df.
func TestSampleRatioP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		control, treatment int
		share, want, tol   float64
	}{
		// χ² = 4 exactly: p = 0.0455 (the textbook 2σ case; LIBRARIES.md 13.1).
		{"5100/4900", 4900, 5100, 0.5, 0.0455003, 1e-6},
		// Wikipedia, "Sample ratio mismatch", Example: 600 vs 400 in a 50/50
		// test of 1,000 users, p = 2.54e-10.
		{"Wikipedia 600/400", 400, 600, 0.5, 2.54e-10, 0.005e-10},
		// R: chisq.test(c(10100, 9990), p = c(.5, .5)) prints X-squared =
		// 0.60229, p-value = 0.4377 (J. Wong, "controlled randomization", 2026):
		// within tolerance, no SRM.
		{"R 10100/9990", 9990, 10100, 0.5, 0.4377, 0.00005},
		// scipy.stats.chisquare([550, 450], [500, 500]): χ² = 10, p = 0.00157.
		{"scipy 550/450", 450, 550, 0.5, 0.0015654, 0.0000001},
		// A 10% holdout seen exactly as configured.
		{"exact 10%", 100, 900, 0.1, 1, 1e-12},
		// 20% configured, 25% observed on 2,000: χ² = 25²·… = 31.25, p ≈ 2.3e-8.
		{"20% vs 25%", 500, 1500, 0.2, 2.26e-8, 0.01e-8},
		{"nobody", 0, 0, 0.5, 1, 0},
		{"share 0, none held out", 0, 10, 0, 1, 0},
		{"share 0, some held out", 1, 10, 0, 0, 0},
		{"share 1, all held out", 10, 0, 1, 1, 0},
	}
	for _, tt := range tests {
		if got := SampleRatioP(tt.control, tt.treatment, tt.share); !near(got, tt.want, tt.tol) {
			t.Errorf("%s: SampleRatioP(%d, %d, %v) = %.6g, want %.6g", tt.name, tt.control, tt.treatment, tt.share, got, tt.want)
		}
	}
}

// TestAlwaysValidP checks the mixture SPRT by a hand-worked value and by its
// properties: never below the fixed-horizon p, non-increasing as the evidence
// grows, and, under no effect, below 0.05 at some look in at most about 5% of
// experiments however often one looks (Johari et al. 2017, Theorem 1).
func TestAlwaysValidP(t *testing.T) {
	t.Parallel()
	// Hand-worked: V = τ² = 1, diff = 3: 1/Λ = √2 · e^(−9/4) = 0.149057.
	if got := AlwaysValidP(3, 1, 1); !near(got, math.Sqrt2*math.Exp(-2.25), 1e-12) || !near(got, 0.149057, 1e-6) {
		t.Errorf("AlwaysValidP(3, 1, 1) = %v, want 0.149057", got)
	}
	edges := []struct {
		diff, variance, tau2, want float64
	}{
		{0, 1, 1, 1},              // no evidence: capped at 1
		{1, math.Inf(1), 1, 1},    // an empty arm
		{1, 1, 0, 1},              // no mixing variance
		{0, 0, 1, 1},              // certain and equal
		{0.5, 0, 1, 0},            // certain and different
		{math.NaN(), 1, 1, 1},     // nothing measured
		{40, 1, 1, math.Exp(-40)}, // far in the tail: still finite and tiny
	}
	for _, tt := range edges {
		got := AlwaysValidP(tt.diff, tt.variance, tt.tau2)
		if tt.diff == 40 {
			if !(got > 0 && got < 1e-100) {
				t.Errorf("AlwaysValidP(40, 1, 1) = %v, want tiny and positive", got)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("AlwaysValidP(%v, %v, %v) = %v, want %v", tt.diff, tt.variance, tt.tau2, got, tt.want)
		}
	}

	normal := distuv.Normal{Mu: 0, Sigma: 1}
	for _, v := range []float64{0.0001, 0.01, 1, 25} {
		for _, r := range []float64{0.001, 0.1, 1, 10, 1000} { // tau2 / variance
			prev := 1.0
			for z := 0.0; z <= 12; z += 0.05 {
				diff := z * math.Sqrt(v)
				p := AlwaysValidP(diff, v, r*v)
				if fixed := 2 * normal.CDF(-z); p < fixed {
					t.Fatalf("z %.2f V %v τ²/V %v: always-valid p %.3g below fixed-horizon p %.3g", z, v, r, p, fixed)
				}
				if p > prev {
					t.Fatalf("z %.2f V %v τ²/V %v: p rose from %.3g to %.3g with more evidence", z, v, r, prev, p)
				}
				prev = p
				if AlwaysValidP(-diff, v, r*v) != p {
					t.Fatalf("not symmetric at z %.2f", z)
				}
			}
		}
	}

	// Peeking: 2,000 A/A experiments of 2,000 customers per arm, looked at
	// every 40 customers; reject when the running minimum falls below 0.05.
	rng := rand.New(rand.NewPCG(3, 4))
	const runs, n, every = 2000, 2000, 40
	sequential, naive := 0, 0
	for range runs {
		var sumC, sumT float64
		tau2 := 0.0
		rejected, naiveRejected := false, false
		for i := 1; i <= n; i++ {
			sumC += rng.NormFloat64()
			sumT += rng.NormFloat64()
			if i%every != 0 {
				continue
			}
			diff, variance := (sumT-sumC)/float64(i), 2/float64(i) // known unit variance
			if tau2 == 0 {
				tau2 = MixingVariance(variance, 2*i, 2*n, 0.05)
			}
			if AlwaysValidP(diff, variance, tau2) < 0.05 {
				rejected = true
			}
			if 2*normal.Survival(math.Abs(diff)/math.Sqrt(variance)) < 0.05 {
				naiveRejected = true
			}
		}
		if rejected {
			sequential++
		}
		if naiveRejected {
			naive++
		}
	}
	t.Logf("false positives with 50 looks: mSPRT %d/%d, fixed-horizon test %d/%d", sequential, runs, naive, runs)
	if rate := float64(sequential) / runs; rate > 0.05 {
		t.Errorf("mSPRT false positive rate with 50 looks = %.3f, want ≤ 0.05", rate)
	}
	// The reason it exists: the fixed-horizon test, peeked at, is wrong far more often.
	if rate := float64(naive) / runs; rate < 0.15 {
		t.Errorf("naive peeking false positive rate = %.3f; expected well above 0.05, the test has lost its point", rate)
	}
}

// TestMixingVariance: GrowthBook's rho² = (−2 ln α + ln(1 − 2 ln α)) / N*
// (Waudby-Smith et al. 2023, the two-sided asymptotic confidence sequence),
// scaled to the variance of one customer's contribution.
func TestMixingVariance(t *testing.T) {
	t.Parallel()
	rho2 := (-2*math.Log(0.05) + math.Log(1-2*math.Log(0.05))) / 5000 // 0.00158723
	tests := []struct {
		name             string
		variance         float64
		n, plannedN      int
		alpha, want, tol float64
	}{
		{"GrowthBook defaults", 0.01, 100, 5000, 0.05, rho2 * 100 * 0.01, 1e-15},
		{"defaults by zero", 0.01, 100, 0, 0, rho2 * 100 * 0.01, 1e-15},
		{"value", 1, 1, 5000, 0.05, 0.00158723, 1e-8},
		{"smaller N* mixes wider", 1, 1, 500, 0.05, 0.0158723, 1e-7},
		{"no customers", 0.01, 0, 5000, 0.05, 0, 0},
		{"infinite variance", math.Inf(1), 10, 5000, 0.05, 0, 0},
	}
	for _, tt := range tests {
		if got := MixingVariance(tt.variance, tt.n, tt.plannedN, tt.alpha); !near(got, tt.want, tt.tol) {
			t.Errorf("%s: MixingVariance = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestSequentialP: on Newcombe's example (a) the always-valid p is above the
// fixed-horizon p and follows from the documented parts; edges give 1.
func TestSequentialP(t *testing.T) {
	t.Parallel()
	e := CompareProportions(Proportion{48, 80}, Proportion{56, 70}, 0.95)
	v := e.SE * e.SE
	want := AlwaysValidP(e.Diff, v, MixingVariance(v, 150, 5000, 0.05))
	if got := e.SequentialP(150); got != want || got <= e.P || got >= 1 {
		t.Errorf("SequentialP(150) = %v, want %v, above the fixed-horizon %v and below 1", got, want, e.P)
	}
	empty := CompareProportions(Proportion{}, Proportion{3, 4}, 0.95)
	for _, tt := range []struct {
		e Effect
		n int
	}{{empty, 4}, {e, 0}} {
		if got := tt.e.SequentialP(tt.n); got != 1 {
			t.Errorf("SequentialP(%d) of %+v = %v, want 1", tt.n, tt.e, got)
		}
	}
}

func TestCostPerIncremental(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		spent, diff float64
		treated     int
		want        float64
		wantNaN     bool
	}{
		// The contract's example: $5,970 spent, +19 pts on 412 treated customers.
		{"contract", 5970, 0.19, 412, 5970 / (0.19 * 412), false},
		{"one extra purchase", 100, 0.01, 100, 100, false},
		{"no effect", 100, 0, 100, math.Inf(1), false},
		{"harm", 100, -0.05, 100, math.Inf(1), false},
		{"nobody treated", 100, 0.2, 0, math.Inf(1), false},
		{"nothing spent", 0, 0.2, 100, 0, false},
		{"unknown effect", 100, math.NaN(), 100, 0, true},
	}
	for _, tt := range tests {
		got := CostPerIncremental(tt.spent, tt.diff, tt.treated)
		if tt.wantNaN != math.IsNaN(got) || !tt.wantNaN && !near(got, tt.want, 1e-9) {
			t.Errorf("%s: CostPerIncremental(%v, %v, %d) = %v, want %v", tt.name, tt.spent, tt.diff, tt.treated, got, tt.want)
		}
	}
	if got := CostPerIncremental(5970, 0.19, 412); math.Round(got*10)/10 != 76.3 {
		t.Errorf("contract example = %.2f, want about 76", got)
	}
}

func TestEffectSignificant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    Effect
		want bool
	}{
		{Effect{Low: 0.01, High: 0.3}, true},
		{Effect{Low: -0.3, High: -0.01}, true},
		{Effect{Low: -0.01, High: 0.3}, false},
		{Effect{Low: 0, High: 0.3}, false},
	}
	for _, tt := range tests {
		if got := tt.e.Significant(); got != tt.want {
			t.Errorf("%+v.Significant() = %v, want %v", tt.e, got, tt.want)
		}
	}
}
