module github.com/rnntrain/rnntrain

go 1.26

require golang.org/x/sys v0.46.0
