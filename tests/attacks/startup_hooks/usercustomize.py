raise SystemExit("usercustomize ran")
