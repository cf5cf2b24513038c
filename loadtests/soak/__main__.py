from loadtests.soak.cli import main

raise SystemExit(main())
