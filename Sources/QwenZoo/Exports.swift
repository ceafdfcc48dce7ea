// Apps import QwenZoo alone; the core protocols and values come with it.
@_exported import ZooCore
@_exported import enum ZooKernels.MatrixBackend
@_exported import enum ZooKernels.MatrixMultiply
@_exported import ZooSamplers
@_exported import ZooGrammar
@_exported import struct ZooAttention.CausalAttention
@_exported import enum ZooModels.WeightPrecision
@_exported import struct ZooModels.ModelOptions
@_exported import class ZooModels.GGUFFile
@_exported import ZooScheduler
