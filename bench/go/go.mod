module gort-bench

go 1.19
