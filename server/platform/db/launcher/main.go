// Command ferretdb-launcher runs FerretDB 1.24 (embedded as a library) on SQLite files for the app's default,
// single-machine mode. It is started and stopped by the Node process (server/platform/db/embedded.ts).
//
// It guarantees three things the Node side relies on:
//   - one launcher per data directory: an exclusive flock on DIR/.lock; a second launcher exits with code 3;
//   - discoverability: once listening it prints "READY <uri>" and writes DIR/ferretdb.json {pid, uri}, which the
//     CLI reads to reuse a running app's database; the file is removed on exit;
//   - no orphans: it exits when its parent dies (PR_SET_PDEATHSIG) and, with -watch-stdin, when its stdin closes.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

const exitLocked = 3

func main() {
	dir := flag.String("dir", "", "directory holding the SQLite files (created if missing)")
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on; port 0 picks a free port")
	watchStdin := flag.Bool("watch-stdin", false, "exit when stdin reaches EOF (the parent went away)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	showVersion := flag.Bool("version", false, "print the launcher's name and FerretDB version, then exit")
	flag.Parse()

	if *showVersion {
		fmt.Println("techbridge-ferretdb-launcher ferretdb=v1.24.2")
		return
	}

	if *dir == "" {
		fail(2, "-dir is required")
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fail(2, err.Error())
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		fail(2, fmt.Sprintf("cannot create %s: %v", abs, err))
	}

	// Die with the parent. Set before anything slow, then re-check for a parent that died in between.
	parent := os.Getppid()
	_, _, _ = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
	if os.Getppid() != parent {
		os.Exit(0)
	}

	lock, err := os.OpenFile(filepath.Join(abs, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		fail(2, err.Error())
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fail(exitLocked, fmt.Sprintf("another FerretDB launcher is using %s", abs))
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail(2, fmt.Sprintf("bad -log-level %q", *logLevel))
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// Indexes for lookups by _id (see idindex.go) on the data already there, before anyone connects.
	ensureIDIndexes(context.Background(), abs, logger)

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		fail(1, err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	if *watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	go keepIDIndexes(ctx, abs, 2*time.Second, logger)

	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()

	uri := f.MongoDBURI() // blocks until the listener is up
	stateFile := filepath.Join(abs, "ferretdb.json")
	state, _ := json.Marshal(map[string]any{"pid": os.Getpid(), "uri": uri, "startedAt": time.Now().UTC()})
	if err := writeAtomic(stateFile, state); err != nil {
		logger.Warn("cannot write state file", "err", err)
	}
	fmt.Printf("READY %s\n", uri)

	<-done
	_ = os.Remove(stateFile)
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func fail(code int, msg string) {
	fmt.Fprintln(os.Stderr, "ferretdb-launcher:", msg)
	os.Exit(code)
}
