package matching

import (
	"fmt"
	"strings"

	"leadflow/internal/fault"
	"leadflow/internal/i18n"
)

// Set is the weight of each weighted criterion: the points it is worth
// before the score is scaled to 100. A weight of 0 leaves the criterion
// out.
type Set map[Criterion]int

// DefaultWeights are the weights used until the team sets its own.
var DefaultWeights = Set{NiceToHave: 35, Industry: 15, Language: 10, Licences: 10, Budget: 30}

// Default threshold and tolerance.
const (
	DefaultThreshold = 50
	DefaultTolerance = 0.10
)

// Config is the team's matching settings.
type Config struct {
	Default Set `json:"default"`
	// Industries overrides some weights for requests of an industry
	// (keyed in lower case); criteria it leaves out take the default's.
	Industries map[string]Set `json:"industries"`
	// Threshold is the score a best match must reach; under it, a
	// custom project is proposed.
	Threshold int `json:"threshold"`
	// Tolerance is how far over budget, as a fraction (0.1 for 10%), a
	// solution still earns some budget points.
	Tolerance float64 `json:"tolerance"`
}

// DefaultConfig is the configuration of a new installation.
func DefaultConfig() Config {
	return Config{Default: DefaultWeights, Threshold: DefaultThreshold, Tolerance: DefaultTolerance}
}

func (c Config) withDefaults() Config {
	if c.Default == nil {
		c.Default = DefaultWeights
	}
	return c
}

// For returns the weights for a request of industry.
func (c Config) For(industry string) Set {
	c = c.withDefaults()
	over, ok := c.Industries[strings.ToLower(strings.TrimSpace(industry))]
	if !ok {
		return c.Default
	}
	out := Set{}
	for _, k := range Weighted {
		out[k] = c.Default[k]
		if v, ok := over[k]; ok {
			out[k] = v
		}
	}
	return out
}

// Validate checks a configuration, naming each bad field as
// default.budget, industries.retail.language, threshold or tolerance.
func (c *Config) Validate() error {
	bad := fault.Fields{}
	check := func(prefix string, s Set, complete bool) {
		for k, v := range s {
			if !isWeighted(k) {
				bad.Add(prefix+"."+string(k), "is not a weighted criterion; use one of "+weightedNames())
			} else if v < 0 || v > 100 {
				bad.Add(prefix+"."+string(k), "must be a whole number from 0 to 100")
			}
		}
		if complete {
			total := 0
			for _, k := range Weighted {
				total += s[k]
			}
			if total == 0 {
				bad.Add(prefix, "must give at least one criterion a weight above 0")
			}
		}
	}
	if c.Default == nil {
		c.Default = DefaultWeights
	}
	check("default", c.Default, true)
	norm := map[string]Set{}
	for ind, s := range c.Industries {
		key := strings.ToLower(strings.TrimSpace(ind))
		if key == "" {
			bad.Add("industries", "an industry's name must not be empty")
			continue
		}
		check("industries."+key, s, false)
		norm[key] = s
	}
	c.Industries = norm
	if c.Threshold < 0 || c.Threshold > 100 {
		bad.Add("threshold", "must be a whole number from 0 to 100")
	}
	if c.Tolerance < 0 || c.Tolerance > 1 {
		bad.Add("tolerance", "must be a fraction from 0 to 1 (0.1 is 10%)")
	}
	return bad.Err()
}

func isWeighted(c Criterion) bool {
	for _, k := range Weighted {
		if k == c {
			return true
		}
	}
	return false
}

func weightedNames() string {
	names := make([]string, len(Weighted))
	for i, k := range Weighted {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// LabelIn is a criterion's name in l's language.
func (c Criterion) LabelIn(l *i18n.Locale) string {
	return l.Or("match.criterion."+string(c), c.Label())
}

// Label is a criterion's name for people.
func (c Criterion) Label() string {
	return map[Criterion]string{
		Category: "Category", MustHave: "Must-have features", Deployment: "Deployment",
		Integrations: "Integrations", NiceToHave: "Nice-to-have features", Industry: "Industry",
		Language: "Language", Licences: "Licences", Budget: "Budget",
	}[c]
}

// Money writes minor units as an amount with two decimals and currency.
func Money(minor int64, currency string) string {
	s := fmt.Sprintf("%d.%02d", minor/100, abs(minor%100))
	if minor < 0 && minor > -100 {
		s = "-" + s
	}
	return strings.TrimSpace(group(s) + " " + currency)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// group puts thousands separators in the whole part of a decimal.
func group(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac == "00" {
		frac = ""
	}
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
