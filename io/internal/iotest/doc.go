// Package iotest holds test helpers shared by Grain's file format packages:
// scanning a source.Source to text rows and feeding records to a writer.
package iotest
