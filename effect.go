package plusone

import (
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// The statistics of outcomes: treatment against holdout, as the experimentation
// platforms people trust compute them (GrowthBook, Optimizely; see
// docs/OUTCOMES.md, "The statistics"). Pure functions; distributions from gonum.

// Proportion is successes out of N.
type Proportion struct{ Successes, N int }

// Rate is Successes/N, or 0 when N is 0.
func (p Proportion) Rate() float64 {
	if p.N <= 0 {
		return 0
	}
	return float64(p.Successes) / float64(p.N)
}

// Effect compares a treatment arm with a control arm: treatment − control.
type Effect struct {
	Control, Treatment float64 // each arm's rate or mean
	Diff               float64 // Treatment − Control
	Low, High          float64 // confidence interval of Diff at the level asked (e.g. 0.95)
	SE                 float64 // standard error of Diff
	P                  float64 // two-sided p-value of no difference
	Lift               float64 // Diff / Control; NaN when Control is 0
}

// Significant reports whether the interval excludes zero.
func (e Effect) Significant() bool { return e.Low > 0 || e.High < 0 }

// unitNormal is the standard normal; a value, not shared state.
func unitNormal() distuv.Normal { return distuv.Normal{Mu: 0, Sigma: 1} }

// zFor is the two-sided critical value of the standard normal at level (0.95 → 1.96).
// A level outside (0, 1) is taken as 0.95.
func zFor(level float64) float64 {
	if !(level > 0 && level < 1) {
		level = 0.95
	}
	return unitNormal().Quantile(1 - (1-level)/2)
}

// twoSidedNormalP is the two-sided p-value of a z statistic. It uses the CDF
// of −|z| because gonum's Normal.Survival is 1 − erf and underflows to 0
// beyond |z| ≈ 8.3, while the CDF is erfc and stays exact far into the tail.
func twoSidedNormalP(z float64) float64 {
	return math.Min(1, 2*unitNormal().CDF(-math.Abs(z)))
}

// lift is diff/control, NaN when control is 0.
func lift(diff, control float64) float64 {
	if control == 0 {
		return math.NaN()
	}
	return diff / control
}

// Wilson is the Wilson (1927) score interval of a single proportion at level;
// for N = 0 it is [0, 1], and it never leaves [0, 1].
func Wilson(p Proportion, level float64) (low, high float64) {
	if p.N <= 0 {
		return 0, 1
	}
	z := zFor(level)
	n, x := float64(p.N), float64(min(max(p.Successes, 0), p.N))
	z2 := z * z
	center := (x + z2/2) / (n + z2)
	half := z / (n + z2) * math.Sqrt(x*(n-x)/n+z2/4)
	return max(0, center-half), min(1, center+half)
}

// CompareProportions compares the treatment's rate with the control's.
// The interval is Newcombe's hybrid score interval (Newcombe 1998, method 10:
// a Wilson interval per arm, combined); P is the two-proportion z-test with a
// pooled rate; SE is the unpooled (Wald) standard error of the difference.
//
// An empty arm counts as rate 0 and carries no evidence: the interval is
// [−1, 1], SE is +Inf and P is 1. When both arms are all successes (or all
// failures) the difference is 0 and P is 1.
func CompareProportions(control, treatment Proportion, level float64) Effect {
	pc, pt := control.Rate(), treatment.Rate()
	e := Effect{Control: pc, Treatment: pt, Diff: pt - pc, Lift: lift(pt-pc, pc)}
	if control.N <= 0 || treatment.N <= 0 {
		e.Low, e.High, e.SE, e.P = -1, 1, math.Inf(1), 1
		return e
	}
	lc, uc := Wilson(control, level)
	lt, ut := Wilson(treatment, level)
	e.Low = e.Diff - math.Hypot(pt-lt, uc-pc)
	e.High = e.Diff + math.Hypot(ut-pt, pc-lc)

	nc, nt := float64(control.N), float64(treatment.N)
	e.SE = math.Sqrt(pc*(1-pc)/nc + pt*(1-pt)/nt)
	pooled := (pc*nc + pt*nt) / (nc + nt)
	se0 := math.Sqrt(pooled * (1 - pooled) * (1/nc + 1/nt))
	e.P = 1
	if se0 > 0 {
		e.P = twoSidedNormalP(e.Diff / se0)
	}
	return e
}

// CompareMeans compares the treatment's mean with the control's by Welch's t
// (unequal variances; Welch–Satterthwaite degrees of freedom).
//
// An arm with fewer than 2 values has no variance to speak of: its mean is
// that of its values (0 when empty), the interval is (−Inf, +Inf), SE is +Inf
// and P is 1. When both arms have zero variance the interval is the
// difference itself, SE is 0, and P is 1 if the means are equal and 0 if not.
func CompareMeans(control, treatment []float64, level float64) Effect {
	mc, vc := meanVariance(control)
	mt, vt := meanVariance(treatment)
	e := Effect{Control: mc, Treatment: mt, Diff: mt - mc, Lift: lift(mt-mc, mc)}
	if len(control) < 2 || len(treatment) < 2 {
		e.Low, e.High, e.SE, e.P = math.Inf(-1), math.Inf(1), math.Inf(1), 1
		return e
	}
	ac, at := vc/float64(len(control)), vt/float64(len(treatment))
	e.SE = math.Sqrt(ac + at)
	if e.SE == 0 {
		e.Low, e.High, e.P = e.Diff, e.Diff, 1
		if e.Diff != 0 {
			e.P = 0
		}
		return e
	}
	df := (ac + at) * (ac + at) / (ac*ac/float64(len(control)-1) + at*at/float64(len(treatment)-1))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
	if !(level > 0 && level < 1) {
		level = 0.95
	}
	crit := t.Quantile(1 - (1-level)/2)
	e.Low, e.High = e.Diff-crit*e.SE, e.Diff+crit*e.SE
	e.P = math.Min(1, 2*t.Survival(math.Abs(e.Diff)/e.SE))
	return e
}

// meanVariance is the mean and unbiased variance; 0 for what is undefined.
func meanVariance(x []float64) (mean, variance float64) {
	switch len(x) {
	case 0:
		return 0, 0
	case 1:
		return x[0], 0
	}
	return stat.MeanVariance(x, nil)
}

// Observation is one customer's outcome Y and her pre-exposure covariate X
// (what she spent before exposure).
type Observation struct{ Y, X float64 }

// CompareCUPED compares means after CUPED variance reduction (Deng, Xu, Kohavi
// and Walker 2013): theta = cov(X, Y)/var(X) over both arms pooled, each Y is
// adjusted to Y − theta·(X − mean X), and the adjusted values are compared by
// Welch's t (CompareMeans). Diff stays an unbiased estimate of the effect
// because X was fixed before exposure; the interval narrows by the share of
// Y's variance that X explains. Control and Treatment are the adjusted means.
// When X does not vary theta is 0 and the result equals CompareMeans on Y.
func CompareCUPED(control, treatment []Observation, level float64) Effect {
	all := make([]Observation, 0, len(control)+len(treatment))
	all = append(append(all, control...), treatment...)
	theta, meanX := cupedTheta(all)
	adjust := func(obs []Observation) []float64 {
		y := make([]float64, len(obs))
		for i, o := range obs {
			y[i] = o.Y - theta*(o.X-meanX)
		}
		return y
	}
	return CompareMeans(adjust(control), adjust(treatment), level)
}

// cupedTheta is cov(X, Y)/var(X) and mean X; theta is 0 when var(X) is 0.
func cupedTheta(obs []Observation) (theta, meanX float64) {
	if len(obs) < 2 {
		return 0, 0
	}
	x, y := make([]float64, len(obs)), make([]float64, len(obs))
	for i, o := range obs {
		x[i], y[i] = o.X, o.Y
	}
	meanX, varX := stat.MeanVariance(x, nil)
	if varX == 0 {
		return 0, meanX
	}
	return stat.Covariance(x, y, nil) / varX, meanX
}

// SampleRatioP tests whether the observed split matches the configured one
// (a sample ratio mismatch, SRM): Pearson's chi-square goodness of fit with
// 1 degree of freedom, holdoutShare of the customers expected in control.
// A tiny value (GrowthBook warns below 0.001) means the
// assignment is broken and the effects cannot be trusted.
//
// With no customers it returns 1. With a share of 0 or 1 (or outside) it
// returns 1 when every customer is where the share sends her, else 0.
func SampleRatioP(control, treatment int, holdoutShare float64) float64 {
	total := control + treatment
	if total <= 0 {
		return 1
	}
	if !(holdoutShare > 0 && holdoutShare < 1) {
		if holdoutShare <= 0 && control == 0 || holdoutShare >= 1 && treatment == 0 {
			return 1
		}
		return 0
	}
	n := float64(total)
	ec, et := n*holdoutShare, n*(1-holdoutShare)
	dc, dt := float64(control)-ec, float64(treatment)-et
	chi2 := dc*dc/ec + dt*dt/et
	return distuv.ChiSquared{K: 1}.Survival(chi2)
}

// AlwaysValidP is the always-valid p-value of one look with the mixture
// sequential probability ratio test (mSPRT; Robbins 1970, Johari, Koomen,
// Pekelis and Walsh 2017/2022, as Optimizely's Stats Engine uses it): diff is
// the estimated difference, variance its squared standard error at this look,
// and tau2 the variance of the normal mixture over effects (MixingVariance).
// It returns min(1, 1/Lambda) with
//
//	Lambda = sqrt(V/(V+tau2)) · exp(tau2·diff² / (2·V·(V+tau2))).
//
// Under no effect, the chance that it ever falls below alpha, however often one
// looks, is at most alpha. Over a series of looks the running minimum is the
// always-valid p-value. It is never below the fixed-horizon p-value of the
// same look. Variance +Inf, NaN or tau2 ≤ 0 give 1; variance 0 gives 1 when
// diff is 0 and 0 otherwise.
func AlwaysValidP(diff, variance, tau2 float64) float64 {
	if math.IsNaN(diff) || math.IsNaN(variance) || math.IsInf(variance, 1) || !(tau2 > 0) || variance < 0 {
		return 1
	}
	if variance == 0 {
		if diff == 0 {
			return 1
		}
		return 0
	}
	// log(1/Lambda), to keep large exponents finite.
	logInv := 0.5*math.Log((variance+tau2)/variance) - tau2*diff*diff/(2*variance*(variance+tau2))
	return math.Min(1, math.Exp(logInv))
}

// DefaultPlannedN is the sample size at which MixingVariance makes the
// sequential test sharpest unless told otherwise: GrowthBook's default
// "sequential testing tuning parameter" (N* = 5000).
const DefaultPlannedN = 5000

// MixingVariance is the mixture variance tau² for AlwaysValidP, chosen as
// GrowthBook documents for its sequential testing: with alpha the false
// positive rate and plannedN (N*) the number of customers at which the test
// should be sharpest,
//
//	rho² = (−2·ln alpha + ln(1 − 2·ln alpha)) / N*,   tau² = rho² · n · variance,
//
// where variance is the squared standard error of the difference measured on n
// customers (so n·variance is the variance of one customer's contribution,
// about constant as customers arrive). A non-positive plannedN means
// DefaultPlannedN; alpha outside (0, 1) means 0.05. It returns 0 when n or
// variance is not positive and finite, and AlwaysValidP then returns 1.
func MixingVariance(variance float64, n, plannedN int, alpha float64) float64 {
	if n <= 0 || !(variance > 0) || math.IsInf(variance, 1) {
		return 0
	}
	if plannedN <= 0 {
		plannedN = DefaultPlannedN
	}
	if !(alpha > 0 && alpha < 1) {
		alpha = 0.05
	}
	l := -2 * math.Log(alpha)
	rho2 := (l + math.Log(l+1)) / float64(plannedN)
	return rho2 * float64(n) * variance
}

// SequentialP is the always-valid p-value of this effect measured on n
// customers (both arms): AlwaysValidP with GrowthBook's default mixing
// variance (MixingVariance with DefaultPlannedN and alpha 0.05). Computing it
// afresh at every look is valid; keeping the smallest value seen so far is
// valid too, and sharper. It is 1 when SE is +Inf or n is not positive.
func (e Effect) SequentialP(n int) float64 {
	v := e.SE * e.SE
	return AlwaysValidP(e.Diff, v, MixingVariance(v, n, DefaultPlannedN, 0.05))
}

// CostPerIncremental is what one extra success cost: spent / (diff × treated),
// where diff is the effect on the rate (treatment − control) and treated the
// number of treated customers, so diff × treated is the number of successes
// the gesture added. It returns +Inf when nothing was added or the gesture
// did harm (diff ≤ 0 or treated ≤ 0) and something was spent, 0 when nothing
// was spent, and NaN when an input is NaN.
func CostPerIncremental(spent float64, diff float64, treated int) float64 {
	if math.IsNaN(spent) || math.IsNaN(diff) {
		return math.NaN()
	}
	if spent == 0 {
		return 0
	}
	extra := diff * float64(treated)
	if !(extra > 0) {
		return math.Inf(1)
	}
	return spent / extra
}
