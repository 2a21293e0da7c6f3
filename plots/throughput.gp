# throughput.gp DATA OUT TITLE YLABEL
# The guest service's throughput against time since the migration started,
# a panel per method (its median-total-time migration), all on one time
# axis and one scale.  Shaded: the preparation (orange, e.g. inflating the
# balloon, up to the migrate command) and the migration (blue).  Each
# sample is the rate over the interval that ends at its time, so the series
# are drawn as steps back to the previous sample (fsteps): a guest that
# stalled for seconds shows one low step across the stall, not a slope.
# DATA is written by report-gen: block i-1 is method i, "s ops".
# Variables: methods, blockfams, prep_s, mig_end_s (per method, seconds),
# xmin, xmax, ymax.  Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

n = words(methods)
cols = n > 4 ? 4 : n
rows = int((n + cols - 1) / cols)
set xrange [xmin:xmax]
set yrange [0:ymax]
set xlabel 'time since migration start (s)'
set ylabel ARG4
set format y '%g'

do for [out=1:2] {
	eval term_of(out, 1300, 300 * rows + 60)
	set output ARG2.ext_of(out)
	set multiplot layout rows, cols title ARG3.' (orange: preparation, blue: migration)'
	do for [i=1:n] {
		set title word(methods, i)
		unset object
		pe = word(prep_s, i) + 0
		me = word(mig_end_s, i) + 0
		if (pe > 0) {
			set object 1 rect from -pe, graph 0 to 0, graph 1 fc rgb '#f5c890' fs solid 0.7 noborder behind
		}
		set object 2 rect from 0, graph 0 to me, graph 1 fc rgb '#b8cce8' fs solid 0.7 noborder behind
		plot ARG1 index (i - 1) using 1:2 with fsteps lt int(word(blockfams, i)) lw 1.5 notitle
	}
	unset multiplot
	unset output
}
