// Package stats holds the small statistics that both the analyses and the
// figures need, so that drawing a figure does not depend on the packages
// that build and run networks: the Wilson score interval of a binomial
// proportion.
package stats
