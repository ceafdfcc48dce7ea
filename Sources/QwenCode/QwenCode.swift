// The QwenCode variant; see its issue.
import ZooCore
