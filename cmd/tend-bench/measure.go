package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"time"
)

type options struct {
	rows, name, goal, a, b, baseline, setup, dir, table, doc string
	rounds                                                   int
	ideal                                                    float64
}

// sample is one run of a command.
type sample struct {
	CPU, Wall time.Duration
	RSS       int64 // bytes
}

// side is the medians of one command's runs.
type side struct {
	Command string  `json:"command"`
	CPU     float64 `json:"cpu_s"`
	Wall    float64 `json:"wall_s"`
	RSS     int64   `json:"peak_rss_bytes"`
}

// row is one line of the table.
type row struct {
	Name     string  `json:"name"`
	Baseline string  `json:"baseline"`
	Goal     string  `json:"goal,omitempty"`
	Rounds   int     `json:"rounds"`
	Tend     side    `json:"tend"`
	Base     side    `json:"base"`
	Ratio    float64 `json:"cpu_ratio"`
	// Ideal, when set, stands for the baseline: the ideal wall time in
	// seconds; Ratio is then tend's median wall time over it.
	Ideal float64 `json:"ideal_wall_s,omitempty"`
}

func measure(o options, log io.Writer) error {
	var as, bs []sample
	type run struct {
		cmd  string
		into *[]sample
	}
	for i := range o.rounds {
		runs := []run{{o.a, &as}, {o.b, &bs}}
		if o.ideal > 0 {
			runs = runs[:1]
		}
		for _, s := range runs {
			if o.setup != "" {
				if _, err := runOnce(o.dir, o.setup); err != nil {
					return fmt.Errorf("setup: %w", err)
				}
			}
			got, err := runOnce(o.dir, s.cmd)
			if err != nil {
				return err
			}
			*s.into = append(*s.into, got)
			fmt.Fprintf(log, "%s: round %d/%d: %.2f s CPU, %.2f s wall, %d MB: %s\n", o.name, i+1, o.rounds,
				got.CPU.Seconds(), got.Wall.Seconds(), got.RSS>>20, s.cmd)
		}
	}
	r := row{Name: o.name, Baseline: o.baseline, Goal: o.goal, Rounds: o.rounds, Tend: medians(o.a, as)}
	if r.Baseline == "" {
		r.Baseline = o.b
	}
	if o.ideal > 0 {
		r.Ideal, r.Ratio = o.ideal, r.Tend.Wall/o.ideal
	} else if r.Base = medians(o.b, bs); r.Base.CPU > 0 {
		r.Ratio = r.Tend.CPU / r.Base.CPU
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(o.rows, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runOnce runs a command with bash and returns what it cost: CPU and peak
// RSS of the command and the processes it waited for, as wait4 reports.
func runOnce(dir, command string) (sample, error) {
	cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", command)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, os.Stderr, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s: %w", command, err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return sample{}, fmt.Errorf("%s: no resource usage", command)
	}
	return sample{
		CPU:  cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		Wall: wall,
		RSS:  ru.Maxrss << 10, // kilobytes on Linux
	}, nil
}

func medians(command string, ss []sample) side {
	med := func(get func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = get(s)
		}
		slices.Sort(v)
		if len(v)%2 == 1 {
			return v[len(v)/2]
		}
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return side{
		Command: command,
		CPU:     med(func(s sample) float64 { return s.CPU.Seconds() }),
		Wall:    med(func(s sample) float64 { return s.Wall.Seconds() }),
		RSS:     int64(med(func(s sample) float64 { return float64(s.RSS) })),
	}
}
