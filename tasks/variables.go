package tasks

// Var is one latent variable a trial was drawn with.
type Var struct {
	Name  string
	Value float64
}

// Latent is anything that lists the latent variables it was drawn with.
// Trial implements it; recordings store each variable per trial so that
// activity can be regressed on them without re-deriving the task.
type Latent interface {
	Latents() []Var
}

var _ Latent = Trial{}

// Latents returns every latent variable of the trial: the task's own
// (Trial.Vars: f1 and f2 of parametric-wm, the signed coherence of each
// modality of context-dm, the sample and test stimuli of match-to-sample,
// the target of anti-saccade, …), then the ones every trial carries,
// "coherence", "coherence2", "context", "value" and "catch" (1 for a catch
// trial), which are 0 where the task has none (Trial's field docs). The
// correct choice and the period boundaries, also latents, are Trial.Choice
// and Trial.Periods. The slice is fresh.
func (tr Trial) Latents() []Var {
	catch := 0.0
	if tr.Catch {
		catch = 1
	}
	return append(append([]Var(nil), tr.Vars...),
		Var{"coherence", tr.Coherence}, Var{"coherence2", tr.Coherence2},
		Var{"context", float64(tr.Context)}, Var{"value", tr.Value}, Var{"catch", catch})
}
