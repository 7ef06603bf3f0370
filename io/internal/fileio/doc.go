// Package fileio holds what Grain's file format packages (csvio, ipcio)
// share: turning user paths into a list of files, save modes, and atomic
// writes.
//
// Reading side: Expand turns files, globs and directories into a sorted,
// de-duplicated list of files with their sizes.
//
// Writing side: Write never exposes a half-written file. It writes into a
// temporary file in the destination directory and renames it over the
// destination only when the whole write succeeded:
//
//	mode check ──► temp file ".<name>.*.tmp" ──► write(w, existing) ──► fsync ──► rename / link
//	                    │                              │ error, cancellation or panic
//	                    └──────────────── removed ◄────┘
//
// Format packages re-export SaveMode and its constants so users never import
// this package.
package fileio
