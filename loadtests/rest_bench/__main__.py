from loadtests.rest_bench.cli import main

raise SystemExit(main())
