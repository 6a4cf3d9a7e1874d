package spell

import (
	"slices"
	"strings"
)

// maxEdits is the largest edit distance at which a name is suggested.
const maxEdits = 2

// maxSuggestions bounds the names Suggest returns.
const maxSuggestions = 3

// editLimit is the number of edits a candidate may be from word: 2, but
// at most half of word's bytes, and 1 for a word of four bytes or fewer
// (two edits turn lstm into ltc).
func editLimit(word string) int {
	if len(word) <= 4 {
		return min(1, len(word)/2)
	}
	return min(maxEdits, len(word)/2)
}

// Suggest returns the names of known that word most likely misspells,
// sorted, at most three, or none. A name is a candidate when it is within
// edit distance 2 of word (insertions, deletions, substitutions and
// transpositions of neighbours, each one edit; 1 for a word of four bytes
// or fewer) and at most half of word's
// bytes away, or, for a word of three bytes or more, when word is a
// prefix or a suffix of it. Candidates by edits come first, the fewest
// edits winning; only those at the best rank are returned. Suggest never
// returns word itself.
func Suggest(word string, known []string) []string {
	best, out := maxEdits+2, []string(nil)
	for _, k := range known {
		if k == word || slices.Contains(out, k) {
			continue
		}
		rank := maxEdits + 2 // not a candidate
		if d := distance(word, k, maxEdits); d <= editLimit(word) {
			rank = d
		} else if len(word) >= 3 && (strings.HasPrefix(k, word) || strings.HasSuffix(k, word)) {
			rank = maxEdits + 1
		}
		switch {
		case rank < best:
			best, out = rank, []string{k}
		case rank == best && rank <= maxEdits+1:
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out[:min(len(out), maxSuggestions)]
}

// Hint returns "did you mean A?", "did you mean A or B?" or "did you
// mean A, B or C?" for the names Suggest(word, known) returns, each
// written as show gives it (quoted, a flag's dash added), or "" for none.
func Hint(word string, known []string, show func(string) string) string {
	names := Suggest(word, known)
	for i, n := range names {
		names[i] = show(n)
	}
	switch n := len(names); n {
	case 0:
		return ""
	case 1:
		return "did you mean " + names[0] + "?"
	default:
		return "did you mean " + strings.Join(names[:n-1], ", ") + " or " + names[n-1] + "?"
	}
}

// distance returns the optimal string alignment distance between a and b
// (Levenshtein plus transpositions of neighbouring bytes), or limit+1 when
// it exceeds limit.
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows of the dynamic programme: i-2, i-1 and i.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}
