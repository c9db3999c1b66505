package identity

import "strings"

// jaroWinkler is the Jaro-Winkler similarity of a and b, from 0 (nothing
// alike) to 1 (equal): the measure made for names, forgiving a letter
// wrong or two swapped, and rewarding a shared beginning.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) <= 64 && len(b) <= 64 && isASCII(a) && isASCII(b) {
		return jaroWinklerASCII(a, b) // folded names are mostly ASCII: no allocation
	}
	return jaroWinklerOf([]rune(a), []rune(b))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// jaroWinklerASCII is jaroWinklerOf for strings of at most 64 bytes,
// which index as letters: the matched letters are bits of a word, so a
// name compares without copying or clearing anything. The arithmetic is
// jaroWinklerOf's, step for step, so both give the same float.
func jaroWinklerASCII(a, b string) float64 {
	la, lb := len(a), len(b)
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if mb&(1<<j) == 0 && a[i] == b[j] {
				ma |= 1 << i
				mb |= 1 << j
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transposed, j := 0, 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<j) == 0 {
			j++
		}
		if a[i] != b[j] {
			transposed++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(transposed)/2)/m) / 3
	prefix := 0
	for prefix < min(4, la, lb) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func jaroWinklerOf(ra, rb []rune) float64 {
	la, lb := len(ra), len(rb)
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	ma, mb := make([]bool, la), make([]bool, lb)
	matches := 0
	for i := range ra {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && ra[i] == rb[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transposed, j := 0, 0
	for i := range ra {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if ra[i] != rb[j] {
			transposed++
		}
		j++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(transposed)/2)/m) / 3
	prefix := 0
	for prefix < min(4, la, lb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// editDistance is the optimal string alignment distance: letters inserted,
// deleted, replaced, or two neighbours swapped, each counting one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// tokenSimilarity compares two sets of words (each a string of words
// joined by single spaces): each word of the side with fewer is matched
// to its most similar word on the other (Jaro-Winkler), and the mean is
// returned, so "acme software" and "acme sofware srl" are close and word
// order does not matter.
func tokenSimilarity(a, b string) float64 {
	if a == "" || b == "" {
		return 0
	}
	if strings.Count(a, " ") > strings.Count(b, " ") {
		a, b = b, a
	}
	sum, n := 0.0, 0
	for x := range words(a) {
		best := 0.0
		for y := range words(b) {
			best = max(best, jaroWinkler(x, y))
		}
		sum += best
		n++
	}
	return sum / float64(n)
}

// words yields the words of s, joined by single spaces.
func words(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for s != "" {
			w, rest, _ := strings.Cut(s, " ")
			if !yield(w) {
				return
			}
			s = rest
		}
	}
}

// soundex is the American Soundex code of a folded name ("robert" and
// "rupert" are both r163): four characters that survive most typing
// slips, used to bring names into the same block.
func soundex(s string) string {
	code := func(c byte) byte {
		switch c {
		case 'b', 'f', 'p', 'v':
			return '1'
		case 'c', 'g', 'j', 'k', 'q', 's', 'x', 'z':
			return '2'
		case 'd', 't':
			return '3'
		case 'l':
			return '4'
		case 'm', 'n':
			return '5'
		case 'r':
			return '6'
		case 'h', 'w':
			return 'h'
		}
		return 0 // vowels and y
	}
	out := make([]byte, 0, 4)
	var last byte
	for i := 0; i < len(s) && len(out) < 4; i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			continue
		}
		k := code(c)
		if len(out) == 0 {
			out = append(out, c)
			last = k
			continue
		}
		switch {
		case k == 'h':
			// h and w do not separate equal codes
		case k == 0:
			last = 0
		case k != last:
			out = append(out, k)
			last = k
		}
	}
	if len(out) == 0 {
		return ""
	}
	for len(out) < 4 {
		out = append(out, '0')
	}
	return string(out)
}
