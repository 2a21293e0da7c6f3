# Shared by every plot script: the look, and the two outputs each image is
# written to.  Usage inside a script, after `reset`:
#   load plotscripts.'/common.gp'
#   @to_png; set output ARG2.'.png'; plot ...
#   @to_svg; set output ARG2.'.svg'; replot; unset output
# or, for another canvas size or a multiplot (which replot cannot redo):
#   do for [out=1:2] { eval term_of(out, W, H); set output ARG2.ext_of(out); ... }
# pngcairo draws anti-aliased text and lines; plain png (libgd) is the
# fallback on a gnuplot built without cairo.
has_cairo = strstrt(GPVAL_TERMINALS, 'pngcairo') > 0
term_png(w, h) = has_cairo ? \
	sprintf("set terminal pngcairo size %d,%d noenhanced font 'Sans,11' background rgb 'white'", w, h) : \
	sprintf("set terminal png size %d,%d noenhanced background rgb 'white'", w, h)
term_svg(w, h) = sprintf("set terminal svg size %d,%d noenhanced font 'Sans,11' background rgb 'white'", w, h)
term_of(out, w, h) = out == 1 ? term_png(w, h) : term_svg(w, h)
ext_of(out) = out == 1 ? '.png' : '.svg'
to_png = term_png(960, 540)
to_svg = term_svg(960, 540)

set grid ytics lc rgb '#d0d0d0'
set border 3
set tics nomirror
set key outside bottom center horizontal noenhanced samplen 2 height 1
set title noenhanced
# One colour per method family (the harness's method table), the same in
# every plot: 1 stock precopy, 2 the seed's bitmap (alone or combined),
# 3 upstream hinting or reporting, 4 the balloon, 5 multifd, 6 postcopy,
# 7 a method the table no longer has.
set linetype 1 lc rgb '#7a7a7a' lw 2
set linetype 2 lc rgb '#2f6db5' lw 2
set linetype 3 lc rgb '#3a9a4a' lw 2
set linetype 4 lc rgb '#d9822b' lw 2
set linetype 5 lc rgb '#8060b0' lw 2
set linetype 6 lc rgb '#c03838' lw 2
set linetype 7 lc rgb '#a08060' lw 2
# Colours that tell apart the members of one family inside its own panel,
# or the cases of a figure across cases: linetypes 11-18.
set linetype 11 lc rgb '#1f77b4' lw 2
set linetype 12 lc rgb '#d62728' lw 2
set linetype 13 lc rgb '#2ca02c' lw 2
set linetype 14 lc rgb '#ff7f0e' lw 2
set linetype 15 lc rgb '#9467bd' lw 2
set linetype 16 lc rgb '#8c564b' lw 2
set linetype 17 lc rgb '#e377c2' lw 2
set linetype 18 lc rgb '#17becf' lw 2
set linetype cycle 18
# A value over a bar: whole numbers from 100 up, three figures below.
label_of(v) = v >= 100 ? sprintf('%.0f', v) : sprintf('%.3g', v)
# Reference lines across the plot at a y value (none when y <= 0): the
# baseline's median, the downtime limit.  n is the arrow and label number.
refline(n, y, text, colour) = sprintf("set arrow %d from graph 0, first %.10g to graph 1, first %.10g nohead dt 2 lw 1.5 lc rgb '%s' front; set label %d '%s' at graph 0.995, first %.10g right offset 0, 0.6 tc rgb '%s' front", n, y, y, colour, n, text, y, colour)
