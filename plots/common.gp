# Shared by every plot script: the look, and the two outputs each image is
# written to.  Usage inside a script, after `reset`:
#   load plotscripts.'/common.gp'
#   @to_png; set output ARG2.'.png'; plot ...
#   @to_svg; set output ARG2.'.svg'; replot; unset output
# pngcairo draws anti-aliased text and lines; plain png (libgd) is the
# fallback on a gnuplot built without cairo.
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	to_png = "set terminal pngcairo size 960,540 noenhanced font 'Sans,11' background rgb 'white'"
} else {
	to_png = "set terminal png size 960,540 noenhanced background rgb 'white'"
}
to_svg = "set terminal svg size 960,540 noenhanced font 'Sans,11' background rgb 'white'"

set grid ytics lc rgb '#d0d0d0'
set border 3
set tics nomirror
set key outside bottom center horizontal noenhanced samplen 2 height 1
set title noenhanced
# One colour per method slot, the same in every plot of a case.
set linetype 1 lc rgb '#4878a8' lw 2
set linetype 2 lc rgb '#d07838' lw 2
set linetype 3 lc rgb '#58a058' lw 2
set linetype 4 lc rgb '#c04848' lw 2
set linetype 5 lc rgb '#8868b0' lw 2
set linetype 6 lc rgb '#907060' lw 2
set linetype 7 lc rgb '#d878b8' lw 2
set linetype 8 lc rgb '#707070' lw 2
set linetype cycle 8
