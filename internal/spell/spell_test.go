package spell

import (
	"slices"
	"strconv"
	"testing"
)

func TestSuggest(t *testing.T) {
	t.Parallel()
	flags := []string{"hidden", "steps", "seed", "lr", "eval-every", "eval-trials", "model", "rank", "out", "config"}
	for _, c := range []struct {
		word string
		want []string
	}{
		{"hiden", []string{"hidden"}},                   // a deletion
		{"hdiden", []string{"hidden"}},                  // a transposition
		{"hiddenn", []string{"hidden"}},                 // an insertion
		{"stpes", []string{"steps"}},                    // a transposition
		{"sed", []string{"seed"}},                       // a deletion
		{"modle", []string{"model"}},                    // a transposition
		{"mdl", nil},                                    // two edits of three bytes
		{"lf", []string{"lr"}},                          // one edit of two bytes
		{"eval", []string{"eval-every", "eval-trials"}}, // a prefix of two
		{"trials", []string{"eval-trials"}},             // a suffix
		{"rnak", []string{"rank"}},
		{"modl", []string{"model"}}, // one edit of four bytes
		{"rk", nil},                 // two edits of rank, and of a short word
		{"hidden", nil},             // defined
		{"x", nil},                  // one edit is the whole word
		{"ab", nil},                 // so are two
		{"batch", nil},              // nothing near
		{"", nil},
	} {
		if got := Suggest(c.word, flags); !slices.Equal(got, c.want) {
			t.Errorf("Suggest(%q): got %q, want %q", c.word, got, c.want)
		}
	}
}

func TestHint(t *testing.T) {
	t.Parallel()
	known := []string{"seed", "steps", "eval-every", "eval-trials", "eval-split"}
	dash := func(n string) string { return "-" + n }
	for _, c := range []struct {
		word, want string
	}{
		{"batch", ""},
		{"sed", "did you mean -seed?"},
		{"evalevery", "did you mean -eval-every?"},
		{"eval", "did you mean -eval-every, -eval-split or -eval-trials?"},
		{"stesp", "did you mean -steps?"},
	} {
		if got := Hint(c.word, known, dash); got != c.want {
			t.Errorf("Hint(%q): got %q, want %q", c.word, got, c.want)
		}
	}
	if got, want := Hint("sede", []string{"seed", "sede-x"}, strconv.Quote), `did you mean "seed"?`; got != want {
		t.Errorf("Hint(%q) quoted: got %q, want %q", "sede", got, want)
	}
}

// FuzzSuggest: every suggestion is a known name other than the word, at
// most three of them, sorted, each within two edits of the word or taking
// it as a prefix or suffix; the distance is symmetric.
func FuzzSuggest(f *testing.F) {
	for _, s := range [][2]string{{"hiden", "hidden"}, {"ab", "ba"}, {"eval", "eval-every"}, {"", "x"}, {"abc", "cab"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, word, name string) {
		known := []string{name, name + "x", "x" + name, "seed", "hidden"}
		got := Suggest(word, known)
		if len(got) > maxSuggestions || !slices.IsSorted(got) {
			t.Fatalf("Suggest(%q, %q) = %q: more than %d or not sorted", word, known, got, maxSuggestions)
		}
		for _, g := range got {
			if g == word || !slices.Contains(known, g) {
				t.Fatalf("Suggest(%q, %q) = %q: %q is the word or not known", word, known, got, g)
			}
		}
		if d1, d2 := distance(word, name, maxEdits), distance(name, word, maxEdits); d1 != d2 {
			t.Fatalf("distance(%q, %q) = %d but the reverse is %d", word, name, d1, d2)
		}
	})
}
