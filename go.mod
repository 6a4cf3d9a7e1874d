module github.com/rnntrain/rnntrain

go 1.26
