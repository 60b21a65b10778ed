module coreasync/bench

go 1.19
