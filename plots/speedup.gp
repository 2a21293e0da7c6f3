# speedup.gp DATA OUT TITLE YLABEL
# Across cases: each method's speed-up over baseline (baseline's median
# over the method's; above 1 is faster), one point per case with its 95%
# bootstrap interval, on a log axis, a dashed line at 1.
# DATA is written by report-gen: block 0 "x method" (the axis), then one
# block per case, "x speedup lo hi".  Variables: cases (block i is word i),
# axis (the methods, x = 0, 1, ...).  Writes OUT.png, OUT.svg.
reset
load plotscripts.'/common.gp'

nc = words(cases)
naxis = words(axis)
set xrange [-0.6:naxis - 0.4]
set logscale y
set format y '%gx'
set ylabel ARG4
set title ARG3
set xtics scale 0 rotate by 30 right
set xtics ()
do for [k=1:naxis] { set xtics add (word(axis, k) k - 1) }
set bmargin 7
set key outside top center horizontal
set grid xtics ytics lc rgb '#e0e0e0'
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb '#404040' back
shift(c) = (c - (nc + 1) / 2.0) * 0.16

do for [out=1:2] {
	eval term_of(out, 1200, 600)
	set output ARG2.ext_of(out)
	plot for [c=1:nc] ARG1 index c using ($1 + shift(c)):2:3:4 with yerrorbars lt (10 + c) \
		pt 7 ps 1.1 lw 1.5 title word(cases, c)
	unset output
}
